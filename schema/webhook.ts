import { requireActor } from '../server/context.ts';
import { type Actor, requireManager } from '../server/ledger/actor.ts';
import * as webhooks from '../server/webhooks/endpoints.ts';
import { builder } from './builder.ts';
import { DeletedPayload } from './catalog.ts';
import { COMMON_ERRORS } from './errors.ts';
import { inTeam, rawId } from './ids.ts';

const WebhookEventEnum = builder.enumType('WebhookEvent', { values: webhooks.WEBHOOK_EVENTS });
const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  values: {
    PENDING: { description: 'Not tried yet.' },
    RETRYING: { description: 'The last attempt failed; the next one is at `nextAttemptAt`.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: {
      description:
        'Given up after 72 hours of failed attempts (the endpoint was disabled); `redeliverWebhookDelivery` sends it again.',
    },
  } as const,
});

/** The caller's team when an OWNER/ADMIN asks; otherwise no team, so lookups find nothing. */
function managerTeam(ctx: { actor: Actor | null }): string {
  try {
    if (ctx.actor) requireManager(ctx.actor);
    return ctx.actor?.teamId ?? '';
  } catch {
    return '';
  }
}

builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  nullable: true,
  description: 'One event sent (or to be sent) to one endpoint, with its attempts.',
  // OWNER/ADMIN only, like the endpoint it belongs to; other teams' deliveries do not exist.
  findUnique: (id, ctx) => ({ id, endpoint: { teamId: managerTeam(ctx) } }),
  fields: (t) => ({
    sequence: t.exposeInt('sequence'),
    status: t.expose('status', { type: DeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    responseStatus: t.exposeInt('responseStatus', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.field({
      type: [WebhookEventEnum],
      description: 'What the endpoint receives; empty = everything.',
      resolve: (e) => e.events as webhooks.WebhookEvent[],
    }),
    cursor: t.exposeInt('cursor', { description: 'The last team sequence delivered (or skipped).' }),
    enabled: t.boolean({ resolve: (e) => e.disabledAt == null }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.relation('deliveries', {
      description: 'The delivery log, newest first.',
      args: { last: t.arg.int({ defaultValue: 50 }) },
      query: (args) => ({ orderBy: { sequence: 'desc' }, take: Math.min(Math.max(args.last ?? 50, 1), 500) }),
    }),
  }),
});

builder.queryField('webhookEndpoints', (t) =>
  t.prismaField({
    type: ['WebhookEndpoint'],
    description: 'OWNER/ADMIN: the team’s webhook endpoints.',
    resolve: (query, _root, _args, ctx) => {
      const actor = requireActor(ctx);
      requireManager(actor);
      return ctx.prisma.webhookEndpoint.findMany({
        ...query,
        where: { teamId: actor.teamId },
        orderBy: { createdAt: 'asc' },
      });
    },
  }),
);

const CreatedWebhookEndpoint = builder
  .objectRef<{ endpointId: string; secret: string }>('CreatedWebhookEndpoint')
  .implement({
    fields: (t) => ({
      secret: t.exposeString('secret', {
        description: 'Shown once. A Standard Webhooks secret (`whsec_…`): verify deliveries with any of its libraries.',
      }),
      endpoint: t.prismaField({
        type: 'WebhookEndpoint',
        resolve: (query, p, _args, ctx) =>
          ctx.prisma.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: p.endpointId } }),
      }),
    }),
  });

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreatedWebhookEndpoint,
    errors: { types: COMMON_ERRORS },
    args: {
      url: t.arg.string({ required: true }),
      events: t.arg({ type: [WebhookEventEnum], defaultValue: [] }),
      secret: t.arg.string({
        description: 'Your own signing secret, `whsec_` + base64 of 24–64 random bytes; default: a generated one.',
      }),
    },
    resolve: (_root, args, ctx) =>
      webhooks.createWebhookEndpoint(ctx.ledger, requireActor(ctx), {
        url: args.url,
        events: args.events ?? [],
        secret: args.secret,
      }),
  }),
  deleteWebhookEndpoint: t.field({
    type: DeletedPayload,
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      await webhooks.deleteWebhookEndpoint(ctx.ledger, requireActor(ctx), rawId(args.id, 'WebhookEndpoint', 'id'));
      return { deletedId: args.id };
    },
  }),
  setWebhookEndpointEnabled: t.prismaField({
    type: 'WebhookEndpoint',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }), enabled: t.arg.boolean({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const e = await webhooks.setWebhookEndpointEnabled(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.id, 'WebhookEndpoint', 'id'),
        args.enabled,
      );
      return ctx.prisma.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id: e.id } });
    },
  }),
  redeliverWebhookDelivery: t.prismaField({
    type: 'WebhookDelivery',
    description:
      'Sends one delivery’s event again now (one attempt, recorded in its log), e.g. one given up as FAILED.',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await webhooks.redeliverWebhookDelivery(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.id, 'WebhookDelivery', 'id'),
      );
      return ctx.prisma.webhookDelivery.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  replayWebhookEndpoint: t.prismaField({
    type: 'WebhookEndpoint',
    description: 'Delivers again, in order, every event after the `after` sequence.',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }), after: t.arg.int({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await webhooks.replayWebhookEndpoint(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.id, 'WebhookEndpoint', 'id'),
        args.after,
      );
      return ctx.prisma.webhookEndpoint.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
