import { randomBytes } from 'node:crypto';
import { type Actor, requireManager } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { InvalidInput, NotFound } from '../ledger/errors.ts';

/** Event names a webhook endpoint can ask for; an empty list means all of them. */
export const WEBHOOK_EVENTS = [
  'ISSUED',
  'USED',
  'RETURNED',
  'VOIDED',
  'DELETED',
  'EXPIRED',
  'REVERSED',
  'SESSION_CHANGED',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput('url', 'Enter a full URL, like https://example.com/punchcard.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInput('url', 'Use an http(s) URL.');
  if (value.length > 2000) throw new InvalidInput('url', 'The URL is too long.');
  return url.href;
}

/**
 * OWNER/ADMIN register an endpoint. Deliveries start after the team's current sequence (not
 * its whole history; `replayWebhookEndpoint` can go back). The signing secret is returned once.
 */
export async function createWebhookEndpoint(
  ctx: LedgerContext,
  actor: Actor,
  input: { url: string; events: WebhookEvent[]; secret?: string | null },
) {
  requireManager(actor);
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
  if (secret.length < 16 || secret.length > 200) throw new InvalidInput('secret', 'Use a secret of 16–200 characters.');
  const team = await ctx.prisma.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { lastSequence: true } });
  const endpoint = await ctx.prisma.webhookEndpoint.create({
    data: {
      teamId: actor.teamId,
      url: endpointUrl(input.url),
      secret,
      events: [...new Set(input.events)],
      cursor: team.lastSequence,
      createdAt: ctx.now(),
    },
  });
  return { endpointId: endpoint.id, secret };
}

async function teamEndpoint(ctx: LedgerContext, actor: Actor, id: string) {
  requireManager(actor);
  const endpoint = await ctx.prisma.webhookEndpoint.findFirst({ where: { id, teamId: actor.teamId } });
  if (!endpoint) throw new NotFound('WebhookEndpoint', id);
  return endpoint;
}

export async function deleteWebhookEndpoint(ctx: LedgerContext, actor: Actor, id: string) {
  await teamEndpoint(ctx, actor, id);
  await ctx.prisma.webhookEndpoint.delete({ where: { id } });
  return { id };
}

export async function setWebhookEndpointEnabled(ctx: LedgerContext, actor: Actor, id: string, enabled: boolean) {
  await teamEndpoint(ctx, actor, id);
  return ctx.prisma.webhookEndpoint.update({ where: { id }, data: { disabledAt: enabled ? null : ctx.now() } });
}

/** Re-delivers every event after `after`, in order (e.g. after the receiver lost data). */
export async function replayWebhookEndpoint(ctx: LedgerContext, actor: Actor, id: string, after: number) {
  await teamEndpoint(ctx, actor, id);
  if (!Number.isInteger(after) || after < 0)
    throw new InvalidInput('after', 'Give a sequence number (0 = from the start).');
  await ctx.prisma.$transaction([
    // The log keeps every row (attempts go on counting); they are simply due again.
    ctx.prisma.webhookDelivery.updateMany({
      where: { endpointId: id, sequence: { gt: after } },
      data: { status: 'PENDING', nextAttemptAt: ctx.now() },
    }),
    ctx.prisma.webhookEndpoint.update({ where: { id }, data: { cursor: after } }),
  ]);
  return { id };
}
