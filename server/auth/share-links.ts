import { randomBytes } from 'node:crypto';
import { type Actor, requireWrite } from '../ledger/actor.ts';
import { activePackageWhere, barColor } from '../ledger/balances.ts';
import { isExpired } from '../ledger/client-credits.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { Forbidden, NotFound } from '../ledger/errors.ts';

/**
 * A share link lets a client see their own balance, read-only, without an account. The
 * token is 192 random bits; it is kept (not hashed) because teammates copy the link again
 * later, and revoking it is one click.
 */
export async function createShareLink(ctx: LedgerContext, actor: Actor, clientId: string) {
  requireWrite(actor);
  if (actor.kind !== 'MEMBER') throw new Forbidden('Share links are made by members of the team.');
  const client = await ctx.prisma.client.findFirst({ where: { id: clientId, teamId: actor.teamId } });
  if (!client) throw new NotFound('Client', clientId);
  const existing = await ctx.prisma.shareLink.findFirst({ where: { clientId, revokedAt: null } });
  if (existing) return existing;
  return ctx.prisma.shareLink.create({
    data: {
      teamId: actor.teamId,
      clientId,
      token: randomBytes(24).toString('base64url'),
      createdById: actor.memberId,
      createdAt: ctx.now(),
    },
  });
}

export async function revokeShareLink(ctx: LedgerContext, actor: Actor, clientId: string) {
  requireWrite(actor);
  if (actor.kind !== 'MEMBER') throw new Forbidden('Share links are managed by members of the team.');
  const client = await ctx.prisma.client.findFirst({ where: { id: clientId, teamId: actor.teamId } });
  if (!client) throw new NotFound('Client', clientId);
  await ctx.prisma.shareLink.updateMany({ where: { clientId, revokedAt: null }, data: { revokedAt: ctx.now() } });
  ctx.accessChanged?.(actor.teamId);
  return { clientId };
}

/** The live link behind a token, or null: revoked links and archived clients show nothing. */
export async function activeShareLink(ctx: LedgerContext, token: string) {
  if (token.length < 16 || token.length > 64) return null;
  const link = await ctx.prisma.shareLink.findUnique({ where: { token }, include: { client: true } });
  return link && !link.revokedAt && !link.client.archivedAt ? link : null;
}

export interface SharedPackage {
  name: string;
  remainingCredits: number;
  totalCredits: number;
  /** Credits that lapsed unused, for an expired package. */
  unusedCredits: number;
  barColor: string;
  expiresOn: Date | null;
  expired: boolean;
  /** Which session types the credits book: the package's own, or every active credit type. */
  sessionTypes: string[];
}

export interface SharedBalance {
  studioName: string;
  clientName: string;
  totalRemainingCredits: number;
  packages: SharedPackage[];
}

/** What a client may see of their own balance, and nothing else (no notes, no ids, no teammates). */
export async function sharedBalance(ctx: LedgerContext, token: string): Promise<SharedBalance> {
  const link = await activeShareLink(ctx, token);
  if (!link) throw new NotFound('ShareLink', 'this link');
  const now = ctx.now();
  const [team, packages, types] = await Promise.all([
    ctx.prisma.team.findUniqueOrThrow({ where: { id: link.teamId }, select: { name: true } }),
    ctx.prisma.package.findMany({
      where: { clientId: link.clientId },
      include: { sessionType: true },
      orderBy: [{ expiresOn: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }],
    }),
    ctx.prisma.sessionType.findMany({
      where: { teamId: link.teamId, archivedAt: null, requiresCredits: true },
      select: { name: true },
      orderBy: { name: 'asc' },
    }),
  ]);
  const active = await ctx.prisma.package.aggregate({
    where: { clientId: link.clientId, ...activePackageWhere(now) },
    _sum: { remainingCredits: true },
  });
  return {
    studioName: team.name,
    clientName: link.client.name,
    totalRemainingCredits: active._sum.remainingCredits ?? 0,
    packages: packages.map((p) => ({
      name: p.name,
      remainingCredits: p.remainingCredits,
      totalCredits: p.totalCredits,
      unusedCredits: isExpired(p, now) ? p.expiredCredits + p.remainingCredits : 0,
      barColor: barColor(p.remainingCredits),
      expiresOn: p.expiresOn,
      expired: isExpired(p, now),
      sessionTypes: p.sessionType ? [p.sessionType.name] : types.map((t) => t.name),
    })),
  };
}
