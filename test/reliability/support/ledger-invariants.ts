import type { PrismaClient } from '../../../server/generated/prisma/client.ts';

/**
 * The invariants of DESIGN.md, checked in SQL straight on the tables (so they scale to the
 * thousands of rows a load leaves): returns every violation found, empty when all hold.
 */
export async function ledgerViolations(prisma: PrismaClient): Promise<string[]> {
  const problems: string[] = [];
  const q = <T>(sql: string) => prisma.$queryRawUnsafe<T[]>(sql);

  for (const r of await q<{ id: string; remaining: number; total: number; sum: number }>(`
    SELECT p."id", p."remainingCredits" AS remaining, p."totalCredits" AS total,
           COALESCE(SUM(e."amount"), 0)::int AS sum
      FROM "Package" p LEFT JOIN "LedgerEntry" e ON e."packageId" = p."id"
     GROUP BY p."id"
    HAVING p."remainingCredits" <> COALESCE(SUM(e."amount"), 0)
        OR p."remainingCredits" < 0 OR p."remainingCredits" > p."totalCredits"`)) {
    problems.push(`package ${r.id}: remaining ${r.remaining}, total ${r.total}, sum of entries ${r.sum}`);
  }
  for (const r of await q<{ sessionId: string; n: number }>(`
    SELECT "sessionId", COUNT(*)::int AS n FROM "LedgerEntry"
     WHERE "event" = 'USED' GROUP BY "sessionId" HAVING COUNT(*) > 1 OR "sessionId" IS NULL`)) {
    problems.push(
      r.sessionId ? `session ${r.sessionId}: ${r.n} USED entries` : `${r.n} USED entries without a session`,
    );
  }
  for (const r of await q<{ sessionId: string; n: number }>(`
    SELECT "sessionId", COUNT(*)::int AS n FROM "LedgerEntry"
     WHERE "event" = 'REVERSED' GROUP BY "sessionId" HAVING COUNT(*) > 1`)) {
    problems.push(`session ${r.sessionId}: ${r.n} REVERSED entries`);
  }
  for (const r of await q<{ id: string; last: number; n: number; max: number }>(`
    SELECT t."id", t."lastSequence" AS last, COUNT(s."sequence")::int AS n, COALESCE(MAX(s."sequence"), 0)::int AS max
      FROM "Team" t LEFT JOIN (
        SELECT "teamId", "sequence" FROM "LedgerEntry" UNION ALL SELECT "teamId", "sequence" FROM "SessionEvent"
      ) s ON s."teamId" = t."id"
     GROUP BY t."id"
    HAVING COUNT(s."sequence") <> t."lastSequence" OR COALESCE(MAX(s."sequence"), 0) <> t."lastSequence"`)) {
    problems.push(`team ${r.id}: lastSequence ${r.last} but ${r.n} events up to ${r.max} (a gap or a lost event)`);
  }
  // A session that holds a credit has exactly one USED entry more than RETURNED/REVERSED ones.
  for (const r of await q<{ id: string; holds: boolean; net: number }>(`
    SELECT s."id", s."holdsCredit" AS holds,
           (COUNT(*) FILTER (WHERE e."event" = 'USED') - COUNT(*) FILTER (WHERE e."event" IN ('RETURNED', 'REVERSED')))::int AS net
      FROM "Session" s JOIN "LedgerEntry" e ON e."sessionId" = s."id"
     GROUP BY s."id"
    HAVING (COUNT(*) FILTER (WHERE e."event" = 'USED') - COUNT(*) FILTER (WHERE e."event" IN ('RETURNED', 'REVERSED')))
           <> CASE WHEN s."holdsCredit" THEN 1 ELSE 0 END`)) {
    problems.push(`session ${r.id}: holdsCredit ${r.holds} but net USED ${r.net}`);
  }
  return problems;
}
