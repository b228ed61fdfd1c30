import { type Actor, requireManager } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { NotFound } from '../ledger/errors.ts';
import * as v from '../ledger/validate.ts';
import { hashToken, newToken } from './secrets.ts';

/** Keys look like `pc_…` so they can be told from login tokens (and found by secret scanners). */
export const API_KEY_PREFIX = 'pc_';
const LAST_USED_RESOLUTION_MS = 60_000;

/** OWNER/ADMIN create a key; the key itself is returned once and only its hash is stored. */
export async function createApiKey(ctx: LedgerContext, actor: Actor, input: { name: string; canWrite: boolean }) {
  requireManager(actor);
  const key = newToken(API_KEY_PREFIX);
  const row = await ctx.prisma.apiKey.create({
    data: {
      teamId: actor.teamId,
      name: v.name('name', input.name, 80),
      prefix: key.slice(0, API_KEY_PREFIX.length + 6),
      keyHash: hashToken(key),
      canWrite: input.canWrite,
      createdById: actor.memberId,
      createdAt: ctx.now(),
    },
  });
  return { apiKeyId: row.id, key };
}

/** Revoking takes effect at once, for requests and open subscriptions alike. */
export async function revokeApiKey(ctx: LedgerContext, actor: Actor, id: string) {
  requireManager(actor);
  const key = await ctx.prisma.apiKey.findFirst({ where: { id, teamId: actor.teamId } });
  if (!key) throw new NotFound('ApiKey', id);
  await ctx.prisma.apiKey.update({ where: { id }, data: { revokedAt: key.revokedAt ?? ctx.now() } });
  ctx.accessChanged?.(actor.teamId);
  return { id };
}

export async function actorForApiKey(ctx: LedgerContext, key: string): Promise<Actor | null> {
  const row = await ctx.prisma.apiKey.findUnique({ where: { keyHash: hashToken(key) } });
  if (!row || row.revokedAt) return null;
  const now = ctx.now();
  // Minute resolution is enough for "last used" and keeps reads from writing on every request.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await ctx.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { kind: 'API_KEY', teamId: row.teamId, apiKeyId: row.id, canWrite: row.canWrite };
}
