import { requireActor } from '../server/context.ts';
import type { Prisma } from '../server/generated/prisma/client.ts';
import { BillingType } from '../server/generated/prisma/enums.ts';
import { activePackageWhere, lowCreditClientIds, noPackageWhere } from '../server/ledger/balances.ts';
import * as catalog from '../server/ledger/catalog.ts';
import { builder } from './builder.ts';
import { COMMON_ERRORS } from './errors.ts';
import { globalId, inTeam, rawId } from './ids.ts';

export const BillingTypeEnum = builder.enumType(BillingType, { name: 'BillingType' });

/** One line of the client's balance: credits usable for a session type (null = any type). */
const CreditBalance = builder
  .objectRef<{ sessionType: { id: string; name: string; archivedAt: Date | null } | null; remainingCredits: number }>(
    'CreditBalance',
  )
  .implement({
    fields: (t) => ({
      sessionTypeId: t.id({
        nullable: true,
        resolve: (b) => (b.sessionType ? globalId('SessionType', b.sessionType.id) : null),
      }),
      sessionTypeName: t.string({ nullable: true, resolve: (b) => b.sessionType?.name ?? null }),
      archived: t.boolean({
        description: 'The session type is archived: visible, not usable.',
        resolve: (b) => b.sessionType?.archivedAt != null,
      }),
      remainingCredits: t.exposeInt('remainingCredits'),
    }),
  });

export const ClientType = builder.prismaNode('Client', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    billingType: t.expose('billingType', { type: BillingTypeEnum }),
    archived: t.boolean({ resolve: (c) => c.archivedAt != null }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    packages: t.relation('packages', {
      args: { includeExpired: t.arg.boolean({ defaultValue: true }) },
      query: (args, ctx) => ({
        where: args.includeExpired ? {} : activePackageWhere(ctx.ledger.now()),
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      }),
    }),
    totalRemainingCredits: t.int({
      description: 'Remaining credits across active (unexpired) packages.',
      select: (_args, ctx) => ({
        packages: { where: activePackageWhere(ctx.ledger.now()), select: { remainingCredits: true } },
      }),
      resolve: (c) => c.packages.reduce((sum, p) => sum + p.remainingCredits, 0),
    }),
    lowCredits: t.boolean({
      description:
        "Running low: a package client that has or had a package, at or below the team's low-credit threshold.",
      select: (_args, ctx) => ({
        billingType: true,
        team: { select: { lowCreditThreshold: true } },
        packages: { where: activePackageWhere(ctx.ledger.now()), select: { remainingCredits: true } },
        _count: { select: { packages: true } },
      }),
      resolve: (c) =>
        c.billingType === 'PACKAGE' &&
        c._count.packages > 0 &&
        c.packages.reduce((sum, p) => sum + p.remainingCredits, 0) <= c.team.lowCreditThreshold,
    }),
    noPackage: t.boolean({
      description: 'A package client that has never had a package (not the same as running low).',
      select: { billingType: true, _count: { select: { packages: true } } },
      resolve: (c) => c.billingType === 'PACKAGE' && c._count.packages === 0,
    }),
    creditBalances: t.field({
      type: [CreditBalance],
      description: 'Usable credits by session type (packages without a type count for any type).',
      select: (_args, ctx) => ({
        packages: {
          where: activePackageWhere(ctx.ledger.now()),
          select: { remainingCredits: true, sessionType: { select: { id: true, name: true, archivedAt: true } } },
        },
      }),
      resolve: (c) => {
        const byType = new Map<
          string,
          { sessionType: (typeof c.packages)[number]['sessionType']; remainingCredits: number }
        >();
        for (const p of c.packages) {
          const key = p.sessionType?.id ?? '';
          const line = byType.get(key) ?? { sessionType: p.sessionType, remainingCredits: 0 };
          line.remainingCredits += p.remainingCredits;
          byType.set(key, line);
        }
        return [...byType.values()];
      },
    }),
  }),
});

builder.queryFields((t) => ({
  clients: t.prismaConnection({
    type: 'Client',
    cursor: 'id',
    args: {
      search: t.arg.string({ description: 'Matches name or email, case-insensitively.' }),
      billingType: t.arg({ type: BillingTypeEnum }),
      lowCredits: t.arg.boolean({
        description:
          "Only package clients running low: they have or had a package and are at or below the team's low-credit threshold.",
      }),
      noPackage: t.arg.boolean({ description: 'Only package clients that have never had a package.' }),
      includeArchived: t.arg.boolean({ defaultValue: false }),
    },
    resolve: async (query, _root, args, ctx) => {
      const { teamId } = requireActor(ctx);
      const where: Prisma.ClientWhereInput = { teamId };
      if (!args.includeArchived) where.archivedAt = null;
      if (args.billingType) where.billingType = args.billingType;
      const search = args.search?.trim();
      if (search) {
        where.OR = [
          { name: { contains: search, mode: 'insensitive' } },
          { email: { contains: search, mode: 'insensitive' } },
        ];
      }
      if (args.lowCredits) where.id = { in: await lowCreditClientIds(ctx.prisma, teamId, ctx.ledger.now()) };
      if (args.noPackage) where.AND = [noPackageWhere];
      return ctx.prisma.client.findMany({ ...query, where, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
    },
  }),
  client: t.prismaField({
    type: 'Client',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.client.findFirst({
        ...query,
        where: { id: rawId(args.id, 'Client', 'id'), teamId: requireActor(ctx).teamId },
      }),
  }),
}));

const ClientInput = builder.inputType('ClientInput', {
  fields: (t) => ({
    name: t.string(),
    email: t.string(),
    phone: t.string(),
    billingType: t.field({ type: BillingTypeEnum }),
  }),
});

builder.mutationFields((t) => ({
  createClient: t.prismaField({
    type: 'Client',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ type: ClientInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id } = await catalog.createClient(ctx.ledger, requireActor(ctx), {
        ...input,
        name: input.name ?? '',
        billingType: input.billingType ?? undefined,
      });
      return ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updateClient: t.prismaField({
    type: 'Client',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ClientInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const updated = await catalog.updateClient(ctx.ledger, requireActor(ctx), rawId(id, 'Client', 'id'), {
        name: input.name ?? undefined,
        email: input.email,
        phone: input.phone,
        billingType: input.billingType ?? undefined,
      });
      return ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id: updated.id } });
    },
  }),
  archiveClient: t.prismaField({
    type: 'Client',
    errors: { types: COMMON_ERRORS },
    args: {
      id: t.arg.id({ required: true }),
      archived: t.arg.boolean({ defaultValue: true, description: 'false restores the client.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await catalog.archiveClient(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.id, 'Client', 'id'),
        args.archived ?? true,
      );
      return ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
