import type { LedgerContext } from '../ledger/context.ts';
import { expirePackages } from '../ledger/packages.ts';
import type { Logger } from '../observability/log.ts';

/**
 * Expires every package whose expiry day has come, team by team. Needs no claim of its own:
 * `expirePackages` writes under the team's row lock and only touches packages whose
 * `expiredAt` is still null, so a second instance running it at the same moment waits for the
 * lock, then finds nothing left to do. Returns how many packages this call expired.
 */
export async function expireDuePackages(ctx: LedgerContext, log: Logger): Promise<number> {
  const teams = await ctx.prisma.package.findMany({
    where: { expiredAt: null, expiresOn: { lte: ctx.now() } },
    select: { teamId: true },
    distinct: ['teamId'],
  });
  let expired = 0;
  for (const { teamId } of teams) {
    try {
      expired += await expirePackages(ctx, teamId);
    } catch (error) {
      // One team's trouble must not hold back every other team's expiry; the next run retries.
      log.error({ err: error, teamId }, `Expiring packages of team ${teamId} failed (the next run retries).`);
    }
  }
  return expired;
}
