import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/index.ts';
import { createPostgresTestDatabase, createTestDatabase } from '../../server/db/test-db.ts';
import { startInProcess } from '../support/in-process.ts';
import { createTeam, field, describe as outcome, rawId, send } from './support/http.ts';
import { ledgerViolations } from './support/ledger-invariants.ts';

/**
 * Idempotency storm: 1,000 keys, each sent 10 times at once over HTTP (log, book, createPackage
 * and removeCredits mixed): exactly one effect per key, and all ten answers identical.
 */

const KEYS = Number(process.env.STORM_KEYS ?? 1000);
const COPIES = 10;
/** Keys in flight at once (× COPIES requests). */
const KEYS_IN_FLIGHT = 20;

const postgres = await createPostgresTestDatabase();
if (!postgres) console.warn('SKIPPED: idempotency storm on PostgreSQL — no server at TEST_DATABASE_URL.');
afterAll(() => postgres?.drop());

const SESSION =
  '__typename ... on SessionPayload { balance session { id } package { id } } ... on Error { code message }';
const OPS = [
  {
    name: 'logSession',
    share: 0.4,
    query: `mutation($input: LogSessionInput!) { logSession(input: $input) { ${SESSION} } }`,
    input: (key: string, client: string) => ({ input: { clientId: client, status: 'COMPLETED', idempotencyKey: key } }),
  },
  {
    name: 'bookSession',
    share: 0.3,
    query: `mutation($input: BookSessionInput!) { bookSession(input: $input) { ${SESSION} } }`,
    input: (key: string, client: string, type: string) => ({
      input: { clientId: client, sessionTypeId: type, startsAt: '2099-01-01T10:00:00Z', idempotencyKey: key },
    }),
  },
  {
    name: 'createPackage',
    share: 0.15,
    query: `mutation($input: CreatePackageInput!) { createPackage(input: $input) {
      __typename ... on Package { id totalCredits } ... on Error { code message } } }`,
    input: (key: string, client: string) => ({
      input: { clientId: client, name: 'Storm', credits: 3, idempotencyKey: key },
    }),
  },
  {
    name: 'removeCredits',
    share: 0.15,
    query: `mutation($input: RemoveCreditsInput!) { removeCredits(input: $input) {
      __typename ... on RemoveCreditsPayload { balance entries { id } } ... on Error { code message } } }`,
    input: (key: string, client: string, _type: string, pkg: string) => ({
      input: { clientId: client, packageId: pkg, credits: 1, idempotencyKey: key },
    }),
  },
];

function opFor(i: number) {
  let x = (i % 100) / 100;
  for (const op of OPS) {
    if (x < op.share) return op;
    x -= op.share;
  }
  return OPS[0];
}

const backends: [string, () => Promise<Database>, boolean][] = [
  ['PGlite', createTestDatabase, true],
  ['PostgreSQL', async () => postgres as Database, false],
];

describe.each(backends)('on %s', (name, open, owned) => {
  it.skipIf(name === 'PostgreSQL' && !postgres)(
    `${KEYS} keys × ${COPIES} concurrent sends: one effect per key, identical answers`,
    async () => {
      const db = await open();
      const server = await startInProcess(db);
      try {
        const team = await createTeam(server.url, 10, 1_000, 'Storm');
        const plan = Array.from({ length: KEYS }, (_, i) => {
          const op = opFor(i);
          const c = i % team.clients.length;
          const key = `storm-${i}`;
          return { key, op, variables: op.input(key, team.clients[c], team.sessionTypeId, team.packages[c]) };
        });
        const answers = new Map<string, string[]>();
        const failures: string[] = [];
        let next = 0;
        const began = performance.now();
        await Promise.all(
          Array.from({ length: KEYS_IN_FLIGHT }, async () => {
            for (let i = next++; i < plan.length; i = next++) {
              const { key, op, variables } = plan[i];
              const replies = await Promise.all(
                Array.from({ length: COPIES }, () => send(server.url, op.query, variables, team.token, 120_000)),
              );
              answers.set(
                key,
                replies.map((r) => JSON.stringify(field(r))),
              );
              for (const r of replies) if (!field(r)?.__typename) failures.push(`${key}: ${outcome(r)}`);
            }
          }),
        );
        const seconds = (performance.now() - began) / 1000;
        console.log(`${name}: ${KEYS * COPIES} sends in ${seconds.toFixed(1)} s`);

        expect(failures.slice(0, 10), `${failures.length} sends without a result`).toEqual([]);
        const differing = [...answers].filter(([, list]) => new Set(list).size !== 1);
        expect(differing.slice(0, 5), `${differing.length} keys got differing answers`).toEqual([]);
        const results = plan.map((p) => ({ ...p, result: JSON.parse(answers.get(p.key)![0]) }));
        const refused = results.filter((r) => 'code' in r.result);
        expect(refused.map((r) => `${r.key}: ${r.result.code}`).slice(0, 5)).toEqual([]);

        // One effect per key, counted in the database.
        const teamId = rawId(team.teamId);
        const count = (op: string) => plan.filter((p) => p.op.name === op).length;
        const sessionIds = results.filter((r) => r.result.session).map((r) => r.result.session.id);
        expect(new Set(sessionIds).size).toBe(count('logSession') + count('bookSession'));
        expect(await db.prisma.session.count({ where: { teamId } })).toBe(count('logSession') + count('bookSession'));
        expect(await db.prisma.ledgerEntry.count({ where: { teamId, event: 'USED' } })).toBe(
          count('logSession') + count('bookSession'),
        );
        expect(await db.prisma.package.count({ where: { teamId } })).toBe(10 + count('createPackage'));
        expect(await db.prisma.ledgerEntry.count({ where: { teamId, event: 'DELETED' } })).toBe(count('removeCredits'));
        expect(await db.prisma.idempotencyRecord.count({ where: { teamId } })).toBe(KEYS);
        expect(await ledgerViolations(db.prisma)).toEqual([]);
      } finally {
        await server.stop();
        if (owned) await db.close();
      }
    },
    300_000,
  );
});
