import fc from 'fast-check';
import type { GraphQLField } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/db/index.ts';
import { startInProcess } from '../../support/in-process.ts';
import { argsArb, digest, document, type Fixture, fixture, judge, keepLoggedIn } from './fuzz.ts';
import { rawId, send } from './http.ts';

/**
 * The bad-input suite on one database: one test per mutation of the schema (as introspected
 * from the running server), `runs` generated calls each. Shared by the fast PGlite file in
 * `npm test` and the longer runs of `npm run test:reliability`.
 */
export async function badInputSuite(label: string, db: Database, runs: number, onDone: () => Promise<void>) {
  const server = await startInProcess(db);
  const f: Fixture = await fixture(server.url, db);
  afterAll(async () => {
    await server.stop();
    await onDone();
  });
  const mutations = Object.values(f.schema.getMutationType()!.getFields()) as GraphQLField<unknown, unknown>[];
  const otherTeam = rawId(f.other.teamId);
  const seen: Record<string, Record<string, number>> = {};

  describe(`bad input to every mutation (${label}, ${runs} calls each)`, () => {
    it.each(mutations.map((m) => [m.name, m] as const))('%s', async (name, m) => {
      const tally: Record<string, number> = {};
      seen[name] = tally;
      let before = await digest(db);
      const otherBefore = await digest(db, otherTeam);
      await fc.assert(
        fc.asyncProperty(argsArb(f, m), async (variables) => {
          const reply = await send(f.url, document(m), variables, f.mine.token, 60_000);
          const verdict = judge(m, reply);
          tally[verdict.outcome] = (tally[verdict.outcome] ?? 0) + 1;
          if (verdict.problem) throw new Error(`${name}: ${verdict.problem}`);
          const after = await digest(db);
          if (verdict.refused && after !== before) {
            throw new Error(`${name} answered ${verdict.outcome} but wrote:\n${diff(before, after)}`);
          }
          if ((await digest(db, otherTeam)) !== otherBefore) {
            throw new Error(`${name} (${verdict.outcome}) changed the OTHER team's rows`);
          }
          if (!verdict.refused) {
            await keepLoggedIn(f);
            before = await digest(db);
          }
        }),
        { numRuns: runs },
      );
      // Every mutation must have been reachable past validation at least once, or the test proves little.
      expect(Object.keys(tally).length).toBeGreaterThan(0);
    });
  });

  afterAll(() => {
    const lines = Object.entries(seen).map(
      ([name, t]) =>
        `  ${name}: ${Object.entries(t)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ×${n}`)
          .join(', ')}`,
    );
    console.log(`Bad input (${label}), outcomes per mutation:\n${lines.join('\n')}`);
  });
}

function diff(a: string, b: string) {
  const left = new Map(a.split('\n').map((l) => l.split('=') as [string, string]));
  return b
    .split('\n')
    .map((l) => l.split('=') as [string, string])
    .filter(([k, v]) => left.get(k) !== v)
    .map(([k, v]) => `  ${k}: ${left.get(k)} → ${v}`)
    .join('\n');
}
