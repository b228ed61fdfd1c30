import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/** Read-side rules about balances, shared by the API and the dashboard. */

/** Packages whose credits count: not expired by the job, and not past their expiry day. */
export function activePackageWhere(now: Date): Prisma.PackageWhereInput {
  return { expiredAt: null, OR: [{ expiresOn: null }, { expiresOn: { gt: now } }] };
}

export type BarColor = 'GREEN' | 'AMBER' | 'RED';

/** Green; amber at 1–2 credits left; red at 0. */
export function barColor(remainingCredits: number): BarColor {
  if (remainingCredits <= 0) return 'RED';
  return remainingCredits <= 2 ? 'AMBER' : 'GREEN';
}

/**
 * "Running low": package clients that have or had a package and whose total over active
 * packages is at or below the team's threshold. A package client who never had a package is
 * "No package" (noPackageWhere) instead: there is nothing that ran down.
 */
export async function lowCreditClientIds(prisma: PrismaClient, teamId: string, now: Date): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT c."id"
      FROM "Client" c
      JOIN "Team" t ON t."id" = c."teamId"
      LEFT JOIN "Package" p ON p."clientId" = c."id" AND p."expiredAt" IS NULL
                           AND (p."expiresOn" IS NULL OR p."expiresOn" > ${now})
     WHERE c."teamId" = ${teamId} AND c."billingType" = 'PACKAGE' AND c."archivedAt" IS NULL
       AND EXISTS (SELECT 1 FROM "Package" q WHERE q."clientId" = c."id")
     GROUP BY c."id", t."lowCreditThreshold"
    HAVING COALESCE(SUM(p."remainingCredits"), 0) <= t."lowCreditThreshold"`;
  return rows.map((r) => r.id);
}

/** "No package": a package client who has never had a package (not even an expired one). */
export const noPackageWhere = { billingType: 'PACKAGE', packages: { none: {} } } satisfies Prisma.ClientWhereInput;
