import { requireActor } from '../server/context.ts';
import * as catalog from '../server/ledger/catalog.ts';
import { builder } from './builder.ts';
import { COMMON_ERRORS, SessionTypeLocked, SessionTypeNameTaken } from './errors.ts';
import { inTeam, optionalRawId, rawId } from './ids.ts';

export const SessionTypeType = builder.prismaNode('SessionType', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    name: t.exposeString('name'),
    requiresCredits: t.exposeBoolean('requiresCredits'),
    durationMinutes: t.exposeInt('durationMinutes'),
    archived: t.boolean({ resolve: (s) => s.archivedAt != null }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    locked: t.boolean({
      description: 'True once sessions of this type exist: "requires credits" can no longer change.',
      select: { _count: { select: { sessions: true } } },
      resolve: (s) => s._count.sessions > 0,
    }),
  }),
});

export const PackageTemplateType = builder.prismaNode('PackageTemplate', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    name: t.exposeString('name'),
    credits: t.exposeInt('credits'),
    priceCents: t.exposeInt('priceCents', { nullable: true }),
    expiryDays: t.exposeInt('expiryDays', { nullable: true }),
    sessionType: t.relation('sessionType', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  sessionTypes: t.prismaField({
    type: ['SessionType'],
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.sessionType.findMany({
        ...query,
        where: { teamId: requireActor(ctx).teamId, ...(args.includeArchived ? {} : { archivedAt: null }) },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      }),
  }),
  packageTemplates: t.prismaField({
    type: ['PackageTemplate'],
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.packageTemplate.findMany({
        ...query,
        where: { teamId: requireActor(ctx).teamId },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      }),
  }),
}));

const CreateSessionTypeInput = builder.inputType('CreateSessionTypeInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    requiresCredits: t.boolean({ defaultValue: true }),
    durationMinutes: t.int({ defaultValue: 60 }),
  }),
});

const UpdateSessionTypeInput = builder.inputType('UpdateSessionTypeInput', {
  fields: (t) => ({
    name: t.string(),
    requiresCredits: t.boolean(),
    durationMinutes: t.int(),
  }),
});

const ArchiveSessionTypePayload = builder
  .objectRef<{ sessionTypeId: string; outstandingCredits: number }>('ArchiveSessionTypePayload')
  .implement({
    fields: (t) => ({
      sessionType: t.prismaField({
        type: 'SessionType',
        resolve: (query, p, _args, ctx) =>
          ctx.prisma.sessionType.findUniqueOrThrow({ ...query, where: { id: p.sessionTypeId } }),
      }),
      outstandingCredits: t.exposeInt('outstandingCredits', {
        description: 'Unused credits clients still hold for this type: they stay visible but can no longer be used.',
      }),
      warning: t.string({
        nullable: true,
        resolve: (p) =>
          p.outstandingCredits > 0
            ? `Clients still hold ${p.outstandingCredits} unused credit${p.outstandingCredits === 1 ? '' : 's'} of this type; they stay visible as "Archived" but cannot be used.`
            : null,
      }),
    }),
  });

export const DeletedPayload = builder.objectRef<{ deletedId: string }>('DeletedPayload').implement({
  fields: (t) => ({ deletedId: t.exposeID('deletedId') }),
});

const PackageTemplateInput = builder.inputType('PackageTemplateInput', {
  fields: (t) => ({
    name: t.string(),
    credits: t.int(),
    priceCents: t.int(),
    expiryDays: t.int({ description: 'Packages made from the template expire this many days after creation.' }),
    sessionTypeId: t.id(),
  }),
});

function templateInput(input: typeof PackageTemplateInput.$inferInput) {
  return {
    name: input.name ?? undefined,
    credits: input.credits ?? undefined,
    priceCents: input.priceCents,
    expiryDays: input.expiryDays,
    sessionTypeId: optionalRawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
  };
}

builder.mutationFields((t) => ({
  createSessionType: t.prismaField({
    type: 'SessionType',
    errors: { types: [...COMMON_ERRORS, SessionTypeNameTaken] },
    args: { input: t.arg({ type: CreateSessionTypeInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id } = await catalog.createSessionType(ctx.ledger, requireActor(ctx), {
        name: input.name,
        requiresCredits: input.requiresCredits ?? true,
        durationMinutes: input.durationMinutes ?? 60,
      });
      return ctx.prisma.sessionType.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updateSessionType: t.prismaField({
    type: 'SessionType',
    errors: { types: [...COMMON_ERRORS, SessionTypeLocked, SessionTypeNameTaken] },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateSessionTypeInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const updated = await catalog.updateSessionType(ctx.ledger, requireActor(ctx), rawId(id, 'SessionType', 'id'), {
        name: input.name ?? undefined,
        requiresCredits: input.requiresCredits ?? undefined,
        durationMinutes: input.durationMinutes ?? undefined,
      });
      return ctx.prisma.sessionType.findUniqueOrThrow({ ...query, where: { id: updated.id } });
    },
  }),
  archiveSessionType: t.field({
    type: ArchiveSessionTypePayload,
    errors: { types: COMMON_ERRORS },
    args: {
      id: t.arg.id({ required: true }),
      archived: t.arg.boolean({ defaultValue: true, description: 'false restores an archived type.' }),
    },
    resolve: (_root, args, ctx) =>
      catalog.archiveSessionType(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.id, 'SessionType', 'id'),
        args.archived ?? true,
      ),
  }),
  createPackageTemplate: t.prismaField({
    type: 'PackageTemplate',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ type: PackageTemplateInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id } = await catalog.createPackageTemplate(ctx.ledger, requireActor(ctx), {
        ...templateInput(input),
        name: input.name ?? '',
        credits: input.credits ?? 0,
      });
      return ctx.prisma.packageTemplate.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updatePackageTemplate: t.prismaField({
    type: 'PackageTemplate',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: PackageTemplateInput, required: true }) },
    resolve: async (query, _root, { id, input }, ctx) => {
      const updated = await catalog.updatePackageTemplate(
        ctx.ledger,
        requireActor(ctx),
        rawId(id, 'PackageTemplate', 'id'),
        templateInput(input),
      );
      return ctx.prisma.packageTemplate.findUniqueOrThrow({ ...query, where: { id: updated.id } });
    },
  }),
  deletePackageTemplate: t.field({
    type: DeletedPayload,
    errors: { types: COMMON_ERRORS },
    description: 'Deletes the template; packages made from it keep their values.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await catalog.deletePackageTemplate(ctx.ledger, requireActor(ctx), rawId(id, 'PackageTemplate', 'id'));
      return { deletedId: id };
    },
  }),
}));
