import type { Prisma } from '../generated/prisma/client.ts';
import type { Actor } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { Forbidden, NotFound } from '../ledger/errors.ts';

/**
 * The outbox read as in-app notifications. Owners and admins see all of the team's mail;
 * trainers see the mail addressed to them. The read state is the row's own (one per mail, not
 * per reader): alerts are team chores, so once someone has read one it counts as seen.
 */

/** Which outbox rows the actor may see as notifications. */
export async function notificationScope(ctx: LedgerContext, actor: Actor): Promise<Prisma.MailOutboxWhereInput> {
  if (actor.kind !== 'MEMBER') throw new Forbidden('Notifications belong to team members; API keys have none.');
  if (actor.role === 'OWNER' || actor.role === 'ADMIN') return { teamId: actor.teamId };
  const user = await ctx.prisma.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { email: true } });
  return { teamId: actor.teamId, to: { has: user.email } };
}

export async function markNotificationRead(
  ctx: LedgerContext,
  actor: Actor,
  id: string,
  read: boolean,
): Promise<{ id: string }> {
  const scope = await notificationScope(ctx, actor);
  const row = await ctx.prisma.mailOutbox.findFirst({ where: { AND: [scope, { id }] }, select: { readAt: true } });
  if (!row) throw new NotFound('Notification', id);
  // Marking read again keeps the first time it was read.
  if (read !== (row.readAt != null)) {
    await ctx.prisma.mailOutbox.update({ where: { id }, data: { readAt: read ? ctx.now() : null } });
  }
  return { id };
}
