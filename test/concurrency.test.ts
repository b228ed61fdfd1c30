import { afterAll, describe, expect, it } from 'vitest';
import { rawId } from '../schema/ids.ts';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import { createTestApp, ERR, studio, type TestApp } from './helpers.ts';

const postgres = await createPostgresTestDatabase();
if (!postgres)
  console.warn('SKIPPED: concurrency tests on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
afterAll(() => postgres?.drop());

const backends: [string, () => Promise<TestApp>][] = [['PGlite', () => createTestApp()]];
if (postgres) backends.push(['PostgreSQL', () => createTestApp({ db: postgres })]);

const LOG = `mutation($input: LogSessionInput!) { logSession(input: $input) {
  __typename ... on SessionPayload { balance session { id } } ... on InsufficientCredits { balance } ${ERR} } }`;

/** The invariants of DESIGN.md, checked straight on the tables. */
async function checkInvariants(t: TestApp) {
  const { prisma } = t.db;
  for (const pkg of await prisma.package.findMany({ include: { ledgerEntries: true } })) {
    const sum = pkg.ledgerEntries.reduce((a, e) => a + e.amount, 0);
    expect(pkg.remainingCredits, `package ${pkg.id}`).toBe(sum);
    expect(pkg.remainingCredits).toBeGreaterThanOrEqual(0);
    expect(pkg.remainingCredits).toBeLessThanOrEqual(pkg.totalCredits);
  }
  for (const team of await prisma.team.findMany()) {
    const sequences = [
      ...(await prisma.ledgerEntry.findMany({ where: { teamId: team.id }, select: { sequence: true } })),
      ...(await prisma.sessionEvent.findMany({ where: { teamId: team.id }, select: { sequence: true } })),
    ]
      .map((r) => r.sequence)
      .sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: team.lastSequence }, (_, i) => i + 1));
  }
}

/**
 * A burst is served one write after the other (one team), so how long it takes depends on how
 * loaded the machine is — on a busy 2-core machine, minutes. The tests wait for every answer;
 * the timeout only catches a hang.
 */
const BURST = { timeout: 600_000 };

describe.each(backends)('on %s', (_name, open) => {
  it('200 concurrent logSession calls on a 10-credit package: exactly 10 succeed', BURST, async () => {
    const t = await open();
    try {
      const s = await studio(t);
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 10 });
      const results = await Promise.all(
        Array.from({ length: 200 }, () => t.ok(LOG, { input: { clientId, status: 'COMPLETED' } }, s.token)),
      );
      const kinds = results.map((r) => r.logSession.__typename);
      expect(kinds.filter((k) => k === 'SessionPayload')).toHaveLength(10);
      expect(kinds.filter((k) => k === 'InsufficientCredits')).toHaveLength(190);
      expect(await s.remaining(packageId)).toBe(0);
      const used = await t.db.prisma.ledgerEntry.count({
        where: { event: 'USED', packageId: rawId(packageId, 'Package', 'id') },
      });
      expect(used).toBe(10);
      await checkInvariants(t);
    } finally {
      await t.close();
    }
  });

  it('50 idempotency keys each sent 10 times at once: one effect per key, identical responses', BURST, async () => {
    const t = await open();
    try {
      const s = await studio(t);
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 100 });
      const sends = Array.from({ length: 500 }, (_, i) => `key-${i % 50}`);
      const results = await Promise.all(
        sends.map((key) => t.ok(LOG, { input: { clientId, status: 'COMPLETED', idempotencyKey: key } }, s.token)),
      );
      const byKey = new Map<string, string>();
      results.forEach((r, i) => {
        const body = JSON.stringify(r.logSession);
        expect(r.logSession.__typename).toBe('SessionPayload');
        if (byKey.has(sends[i])) expect(body).toBe(byKey.get(sends[i]));
        else byKey.set(sends[i], body);
      });
      expect(new Set([...byKey.values()].map((b) => JSON.parse(b).session.id)).size).toBe(50);
      expect(await s.remaining(packageId)).toBe(50);
      await checkInvariants(t);
    } finally {
      await t.close();
    }
  });
});
