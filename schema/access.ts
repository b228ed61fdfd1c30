import { createApiKey, revokeApiKey } from '../server/auth/api-keys.ts';
import * as shares from '../server/auth/share-links.ts';
import { requireActor } from '../server/context.ts';
import { abortable } from '../server/events/abortable.ts';
import { requireManager } from '../server/ledger/actor.ts';
import { NotFound } from '../server/ledger/errors.ts';
import { builder } from './builder.ts';
import { COMMON_ERRORS } from './errors.ts';
import { inTeamForManagers, rawId } from './ids.ts';

const ApiKeyScope = builder.enumType('ApiKeyScope', {
  values: {
    READ: { description: 'Queries and subscriptions only.' },
    READ_WRITE: { description: 'Also day-to-day writes (clients, packages, credits, sessions).' },
  } as const,
});

export const ApiKeyType = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeamForManagers,
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, to recognise it.' }),
    scope: t.field({ type: ApiKeyScope, resolve: (k) => (k.canWrite ? 'READ_WRITE' : 'READ') }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.relation('createdBy'),
  }),
});

const ShareLinkType = builder.prismaObject('ShareLink', {
  fields: (t) => ({
    token: t.exposeString('token'),
    path: t.string({ description: 'The public balance page: /b/<token>.', resolve: (l) => `/b/${l.token}` }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField('Client', 'shareLink', (t) =>
  t.field({
    type: ShareLinkType,
    nullable: true,
    description: "The client's live balance link, if one is active.",
    select: { shareLinks: { where: { revokedAt: null }, take: 1 } },
    resolve: (client) => client.shareLinks[0] ?? null,
  }),
);

const SharedPackage = builder.objectRef<shares.SharedPackage>('SharedPackage').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    remainingCredits: t.exposeInt('remainingCredits'),
    totalCredits: t.exposeInt('totalCredits'),
    unusedCredits: t.exposeInt('unusedCredits', { description: 'Credits that lapsed unused (expired packages).' }),
    barColor: t.exposeString('barColor'),
    expiresOn: t.expose('expiresOn', { type: 'Date', nullable: true }),
    expired: t.exposeBoolean('expired'),
    sessionTypes: t.exposeStringList('sessionTypes', { description: 'What these credits can book.' }),
  }),
});

const SharedBalance = builder.objectRef<shares.SharedBalance>('SharedBalance').implement({
  description: "What a client sees through their share link: their studio's name and their own packages, nothing else.",
  fields: (t) => ({
    studioName: t.exposeString('studioName'),
    clientName: t.exposeString('clientName'),
    totalRemainingCredits: t.exposeInt('totalRemainingCredits'),
    packages: t.field({ type: [SharedPackage], resolve: (b) => b.packages.filter((p) => !p.expired) }),
    expiredPackages: t.field({ type: [SharedPackage], resolve: (b) => b.packages.filter((p) => p.expired) }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.prismaField({
    type: ['ApiKey'],
    description: 'OWNER/ADMIN: every key of the team, newest first, revoked ones included.',
    resolve: (query, _root, _args, ctx) => {
      const actor = requireActor(ctx);
      requireManager(actor);
      return ctx.prisma.apiKey.findMany({ ...query, where: { teamId: actor.teamId }, orderBy: { createdAt: 'desc' } });
    },
  }),
  sharedBalance: t.field({
    type: SharedBalance,
    description: 'Public: the balance behind a share link. No login needed; a revoked link is NotFound.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => shares.sharedBalance(ctx.ledger, args.token),
  }),
}));

builder.subscriptionField('sharedBalance', (t) =>
  t.field({
    type: SharedBalance,
    description: 'Public: the shared balance now and after every change; ends when the link is revoked.',
    args: { token: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) =>
      abortable(async function* (signal) {
        const link = await shares.activeShareLink(ctx.ledger, args.token);
        if (!link) throw new NotFound('ShareLink', 'this link');
        const stillShared = async () => {
          if (!(await shares.activeShareLink(ctx.ledger, args.token))) throw new NotFound('ShareLink', 'this link');
        };
        yield await shares.sharedBalance(ctx.ledger, args.token);
        for await (const event of ctx.hub.stream(link.teamId, null, stillShared, signal)) {
          if (event.clientId === link.clientId) yield await shares.sharedBalance(ctx.ledger, args.token);
        }
      }),
    resolve: (balance) => balance,
  }),
);

const CreatedApiKey = builder.objectRef<{ apiKeyId: string; key: string }>('CreatedApiKey').implement({
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Shown once: store it now. Send as `Authorization: Bearer <key>`.' }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      resolve: (query, k, _args, ctx) => ctx.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: k.apiKeyId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKey,
    errors: { types: COMMON_ERRORS },
    args: { name: t.arg.string({ required: true }), scope: t.arg({ type: ApiKeyScope, required: true }) },
    resolve: (_root, args, ctx) =>
      createApiKey(ctx.ledger, requireActor(ctx), { name: args.name, canWrite: args.scope === 'READ_WRITE' }),
  }),
  revokeApiKey: t.prismaField({
    type: 'ApiKey',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await revokeApiKey(ctx.ledger, requireActor(ctx), rawId(args.id, 'ApiKey', 'id'));
      return ctx.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  createShareLink: t.prismaField({
    type: 'ShareLink',
    description: "Makes (or returns) the client's read-only balance link.",
    errors: { types: COMMON_ERRORS },
    args: { clientId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const link = await shares.createShareLink(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.clientId, 'Client', 'clientId'),
      );
      return ctx.prisma.shareLink.findUniqueOrThrow({ ...query, where: { id: link.id } });
    },
  }),
  revokeShareLink: t.prismaField({
    type: 'Client',
    description: 'Stops the client’s link at once, open pages included.',
    errors: { types: COMMON_ERRORS },
    args: { clientId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { clientId } = await shares.revokeShareLink(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.clientId, 'Client', 'clientId'),
      );
      return ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id: clientId } });
    },
  }),
}));
