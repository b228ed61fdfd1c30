import { requireActor } from '../server/context.ts';
import { LedgerEvent } from '../server/generated/prisma/enums.ts';
import { barColor } from '../server/ledger/balances.ts';
import * as catalog from '../server/ledger/catalog.ts';
import { isExpired } from '../server/ledger/client-credits.ts';
import * as packages from '../server/ledger/packages.ts';
import { maxItems } from '../server/list-limits.ts';
import { builder } from './builder.ts';
import { COMMON_ERRORS, CREDIT_ERRORS, NoteTooLong } from './errors.ts';
import { inTeam, optionalRawId, rawId } from './ids.ts';

const PackageState = builder.enumType('PackageState', {
  values: {
    ACTIVE: { description: 'Has credits and can be used.' },
    EXHAUSTED: { description: 'No credits left.' },
    EXPIRED: { description: 'Past its expiry date: read-only, unused credits stay visible.' },
  } as const,
});

const BarColor = builder.enumType('BarColor', {
  description: 'Package bar colour: green; amber at 1–2 credits left; red at 0.',
  values: ['GREEN', 'AMBER', 'RED'] as const,
});

export const PackageType = builder.prismaNode('Package', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    name: t.exposeString('name'),
    totalCredits: t.exposeInt('totalCredits'),
    remainingCredits: t.exposeInt('remainingCredits'),
    priceCents: t.exposeInt('priceCents', { nullable: true, description: 'For the records only.' }),
    expiresOn: t.expose('expiresOn', { type: 'Date', nullable: true }),
    expiredAt: t.expose('expiredAt', { type: 'DateTime', nullable: true }),
    expiredCredits: t.exposeInt('expiredCredits', { description: 'Unused credits that lapsed at expiry.' }),
    state: t.field({
      type: PackageState,
      resolve: (p, _args, ctx) =>
        isExpired(p, ctx.ledger.now()) ? 'EXPIRED' : p.remainingCredits === 0 ? 'EXHAUSTED' : 'ACTIVE',
    }),
    barColor: t.field({ type: BarColor, resolve: (p) => barColor(p.remainingCredits) }),
    sessionType: t.relation('sessionType', { nullable: true }),
    template: t.relation('template', { nullable: true }),
    client: t.relation('client'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const LedgerEventEnum = builder.enumType(LedgerEvent, { name: 'LedgerEvent' });

const ActorKindEnum = builder.enumType('ActorKind', { values: ['MEMBER', 'API_KEY', 'SYSTEM'] as const });

export const LedgerEntryType = builder.prismaNode('LedgerEntry', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: 'Gap-free per team, in commit order: the cursor for subscriptions.',
    }),
    event: t.expose('event', { type: LedgerEventEnum }),
    amount: t.int({
      nullable: true,
      description: 'Signed change of credits; none for VOIDED (the credit was already used at booking).',
      resolve: (e) => (e.event === 'VOIDED' ? null : e.amount),
    }),
    balanceAfter: t.exposeInt('balanceAfter', {
      description: "The client's total remaining credits after this entry.",
    }),
    note: t.exposeString('note', { nullable: true, description: 'Team-only, at most 500 characters.' }),
    client: t.relation('client'),
    package: t.relation('package', { nullable: true }),
    sessionType: t.relation('sessionType', { nullable: true }),
    session: t.relation('session', { nullable: true }),
    actorKind: t.expose('actorKind', { type: ActorKindEnum }),
    actor: t.relation('actorMember', { nullable: true, description: 'The member who did it, if a member did.' }),
    actorName: t.string({
      description: 'Who did it: a member, an API key, or "Punchcard" for automatic changes (expiry).',
      select: {
        actorMember: { select: { user: { select: { name: true } } } },
        actorApiKey: { select: { name: true } },
      },
      resolve: (e) => e.actorMember?.user.name ?? (e.actorApiKey ? `API key "${e.actorApiKey.name}"` : 'Punchcard'),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  balanceHistory: t.prismaConnection({
    type: 'LedgerEntry',
    cursor: 'id',
    description: "A client's ledger entries, newest first.",
    args: {
      clientId: t.arg.id({ required: true }),
      sessionTypeId: t.arg.id(),
      events: t.arg({ type: [LedgerEventEnum], ...maxItems(Object.keys(LedgerEvent).length) }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.ledgerEntry.findMany({
        ...query,
        where: {
          teamId: requireActor(ctx).teamId,
          clientId: rawId(args.clientId, 'Client', 'clientId'),
          ...(args.sessionTypeId ? { sessionTypeId: rawId(args.sessionTypeId, 'SessionType', 'sessionTypeId') } : {}),
          ...(args.events?.length ? { event: { in: args.events } } : {}),
        },
        orderBy: { sequence: 'desc' },
      }),
  }),
}));

const CreatePackageInput = builder.inputType('CreatePackageInput', {
  fields: (t) => ({
    clientId: t.id({ required: true }),
    templateId: t.id({ description: 'Pre-fills name, credits, price, expiry and session type.' }),
    name: t.string(),
    credits: t.int(),
    priceCents: t.int(),
    expiresOn: t.field({ type: 'Date' }),
    sessionTypeId: t.id({ description: 'Limit the credits to one session type; empty = any type.' }),
    note: t.string(),
    idempotencyKey: t.string(),
  }),
});

const IssueCreditsInput = builder.inputType('IssueCreditsInput', {
  fields: (t) => ({
    clientId: t.id({ required: true }),
    sessionTypeId: t.id({ required: true }),
    credits: t.int({ required: true }),
    expiresOn: t.field({ type: 'Date' }),
    note: t.string(),
    idempotencyKey: t.string(),
  }),
});

const RemoveCreditsInput = builder.inputType('RemoveCreditsInput', {
  fields: (t) => ({
    clientId: t.id({ required: true }),
    sessionTypeId: t.id({ description: "Remove from this type's packages, first-expiring first." }),
    packageId: t.id({ description: 'Remove from this package only.' }),
    credits: t.int({ required: true }),
    note: t.string(),
    idempotencyKey: t.string(),
  }),
});

const RemoveCreditsPayload = builder
  .objectRef<{ clientId: string; entryIds: string[]; balance: number }>('RemoveCreditsPayload')
  .implement({
    fields: (t) => ({
      client: t.prismaField({
        type: 'Client',
        resolve: (query, p, _args, ctx) => ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id: p.clientId } }),
      }),
      entries: t.prismaField({
        type: ['LedgerEntry'],
        resolve: (query, p, _args, ctx) =>
          ctx.prisma.ledgerEntry.findMany({
            ...query,
            where: { id: { in: p.entryIds } },
            orderBy: { sequence: 'asc' },
          }),
      }),
      balance: t.exposeInt('balance', { description: "The client's total remaining credits afterwards." }),
    }),
  });

function loadPackage(ctx: Parameters<typeof requireActor>[0], query: object, id: string) {
  return ctx.prisma.package.findUniqueOrThrow({ ...query, where: { id } });
}

builder.mutationFields((t) => ({
  createPackage: t.prismaField({
    type: 'Package',
    errors: { types: CREDIT_ERRORS },
    args: { input: t.arg({ type: CreatePackageInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { packageId } = await packages.createPackage(ctx.ledger, requireActor(ctx), {
        ...input,
        clientId: rawId(input.clientId, 'Client', 'clientId'),
        templateId: optionalRawId(input.templateId, 'PackageTemplate', 'templateId'),
        sessionTypeId: optionalRawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
      });
      return loadPackage(ctx, query, packageId);
    },
  }),
  issueCredits: t.prismaField({
    type: 'Package',
    description: 'Adds credits for a session type (as a package of their own, so expiry and FEFO apply).',
    errors: { types: CREDIT_ERRORS },
    args: { input: t.arg({ type: IssueCreditsInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { packageId } = await packages.issueCredits(ctx.ledger, requireActor(ctx), {
        ...input,
        clientId: rawId(input.clientId, 'Client', 'clientId'),
        sessionTypeId: rawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
      });
      return loadPackage(ctx, query, packageId);
    },
  }),
  removeCredits: t.field({
    type: RemoveCreditsPayload,
    errors: { types: CREDIT_ERRORS },
    args: { input: t.arg({ type: RemoveCreditsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      packages.removeCredits(ctx.ledger, requireActor(ctx), {
        ...input,
        clientId: rawId(input.clientId, 'Client', 'clientId'),
        packageId: optionalRawId(input.packageId, 'Package', 'packageId'),
        sessionTypeId:
          input.sessionTypeId == null ? undefined : rawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
      }),
  }),
  updateLedgerNote: t.prismaField({
    type: 'LedgerEntry',
    description: 'Sets, edits or (with an empty note) clears the team-only note of an entry.',
    errors: { types: [...COMMON_ERRORS, NoteTooLong] },
    args: { entryId: t.arg.id({ required: true }), note: t.arg.string() },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await catalog.updateLedgerNote(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.entryId, 'LedgerEntry', 'entryId'),
        args.note ?? null,
      );
      return ctx.prisma.ledgerEntry.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
