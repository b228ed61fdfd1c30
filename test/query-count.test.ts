import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawId } from '../schema/ids.ts';
import { createTestApp, studio, type TestApp } from './helpers.ts';

/**
 * No N+1: the SQL statements a list query makes stay the same as the list grows from 1 to 50
 * to 500. Statements are counted where they reach PGlite, like Pothos's own plugin tests do.
 */

let t: TestApp;
let statements = 0;
beforeAll(async () => {
  t = await createTestApp();
  const pglite = t.db.pglite;
  if (!pglite) throw new Error('query counting needs the PGlite backend');
  const query = pglite.query.bind(pglite);
  pglite.query = ((...args: Parameters<typeof query>) => {
    statements++;
    return query(...args);
  }) as typeof pglite.query;
});
afterAll(() => t.close());

async function countStatements(run: () => Promise<unknown>) {
  statements = 0;
  await run();
  return statements;
}

const CLIENTS = `query($n: Int!) { clients(first: $n) { edges { node {
  id name billingType totalRemainingCredits lowCredits
  creditBalances { sessionTypeName remainingCredits }
  packages { name remainingCredits barColor state sessionType { name } }
} } } }`;

const HISTORY = `query($c: ID!, $n: Int!) { balanceHistory(clientId: $c, first: $n) { edges { node {
  sequence event amount balanceAfter note actorName actor { name role }
  package { name } sessionType { name } session { status startsAt }
} } } }`;

describe.each([1, 50, 500])('with %i rows', (n) => {
  it('clients with packages and remaining credits', async () => {
    const s = await studio(t);
    const teamId = rawId(s.teamId, 'Team', 'teamId');
    const sessionTypeId = rawId(s.sessionTypeId, 'SessionType', 'id');
    const clients = Array.from({ length: n }, (_, i) => ({ teamId, name: `Client ${String(i).padStart(3, '0')}` }));
    await t.db.prisma.client.createMany({ data: clients });
    const ids = await t.db.prisma.client.findMany({ where: { teamId }, select: { id: true } });
    await t.db.prisma.package.createMany({
      data: ids.flatMap(({ id }) => [
        { teamId, clientId: id, name: 'A', totalCredits: 10, remainingCredits: 0, sessionTypeId },
        { teamId, clientId: id, name: 'B', totalCredits: 5, remainingCredits: 0 },
      ]),
    });
    const result = await t.ok(CLIENTS, { n }, s.token);
    expect(result.clients.edges).toHaveLength(n);
    counts.clients.push(await countStatements(() => t.ok(CLIENTS, { n }, s.token)));
  });

  // Up to 499 sessions logged one by one through the API first: slow on a loaded machine, not
  // wrong. The timeout only catches a hang.
  it('balance history with actor, package, session type and session', { timeout: 300_000 }, async () => {
    const s = await studio(t);
    const clientId = await s.client();
    await s.package(clientId, { credits: 1000 });
    const logs = Math.max(0, n - 1);
    for (let i = 0; i < logs; i++) await s.log(clientId, { sessionTypeId: s.sessionTypeId });
    const result = await t.ok(HISTORY, { c: clientId, n }, s.token);
    expect(result.balanceHistory.edges).toHaveLength(n);
    counts.history.push(await countStatements(() => t.ok(HISTORY, { c: clientId, n }, s.token)));
  });
});

const counts = { clients: [] as number[], history: [] as number[] };

it('makes the same number of SQL statements at every list size', () => {
  console.log(
    `SQL statements per request at sizes 1/50/500 — clients: ${counts.clients.join('/')}, balanceHistory: ${counts.history.join('/')}`,
  );
  expect(counts.clients).toHaveLength(3);
  expect(new Set(counts.clients).size).toBe(1);
  expect(new Set(counts.history).size).toBe(1);
  expect(counts.clients[0]).toBeLessThanOrEqual(10);
  expect(counts.history[0]).toBeLessThanOrEqual(10);
});
