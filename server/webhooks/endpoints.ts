import { randomBytes } from 'node:crypto';
import { LedgerEvent } from '../generated/prisma/enums.ts';
import { type Actor, requireManager } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { InvalidInput, NotFound } from '../ledger/errors.ts';
import { deliveryRequest, recordManualAttempt } from './dispatcher.ts';
import { TargetRefused, transportOf } from './transport.ts';

/** Event names a webhook endpoint can ask for: every ledger event, and credit-free session changes. */
export const WEBHOOK_EVENTS = [...Object.values(LedgerEvent), 'SESSION_CHANGED'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

async function endpointUrl(ctx: LedgerContext, value: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput('url', 'Enter a full URL, like https://example.com/punchcard.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInput('url', 'Use an http(s) URL.');
  if (value.length > 2000) throw new InvalidInput('url', 'The URL is too long.');
  // Checked here for a clear answer now; every delivery checks again (DNS answers change).
  try {
    await transportOf(ctx).resolve(url);
  } catch (error) {
    if (error instanceof TargetRefused)
      throw new InvalidInput('url', `Webhooks go to public addresses: ${error.message}`);
    throw error;
  }
  return url.href;
}

/** Standard Webhooks secrets: `whsec_` and the base64 of 24–64 random bytes (the HMAC key). */
const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

function signingSecret(given: string | null | undefined): string {
  if (given == null) return `whsec_${randomBytes(32).toString('base64')}`;
  const bytes = SECRET.test(given) ? Buffer.from(given.slice('whsec_'.length), 'base64').length : 0;
  if (bytes < 24 || bytes > 64)
    throw new InvalidInput('secret', 'Use a Standard Webhooks secret: "whsec_" then 24–64 random bytes in base64.');
  return given;
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
  const secret = signingSecret(input.secret);
  const url = await endpointUrl(ctx, input.url);
  const team = await ctx.prisma.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { lastSequence: true } });
  const endpoint = await ctx.prisma.webhookEndpoint.create({
    data: {
      teamId: actor.teamId,
      url,
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
    // The log keeps every row (attempts go on counting); they are simply due again, each with
    // a fresh retry window.
    ctx.prisma.webhookDelivery.updateMany({
      where: { endpointId: id, sequence: { gt: after } },
      data: { status: 'PENDING', nextAttemptAt: ctx.now(), failingSince: null },
    }),
    ctx.prisma.webhookEndpoint.update({ where: { id }, data: { cursor: after } }),
  ]);
  return { id };
}

/**
 * Sends one delivery's event again now, whatever its state (e.g. the receiver lost it, or it was
 * given up after the retry window). One attempt, recorded in the delivery's log; the endpoint's
 * queue is not reordered — if this was the delivery it was waiting on, it moves on.
 */
export async function redeliverWebhookDelivery(ctx: LedgerContext, actor: Actor, deliveryId: string) {
  requireManager(actor);
  const delivery = await ctx.prisma.webhookDelivery.findFirst({
    where: { id: deliveryId, endpoint: { teamId: actor.teamId } },
    include: { endpoint: true },
  });
  if (!delivery) throw new NotFound('WebhookDelivery', deliveryId);
  const request = await deliveryRequest(ctx.prisma, delivery.endpoint, delivery.sequence);
  const attempt = await transportOf(ctx).post(delivery.endpoint.url, request.headers, request.body);
  await recordManualAttempt(ctx, delivery, attempt);
  return { id: delivery.id };
}
