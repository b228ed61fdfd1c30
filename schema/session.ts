import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { requireActor } from '../server/context.ts';
import type { Prisma } from '../server/generated/prisma/client.ts';
import { SessionStatus } from '../server/generated/prisma/enums.ts';
import * as sessions from '../server/ledger/sessions.ts';
import { BULK_LOG_MAX_CLIENTS } from '../server/ledger/sessions.ts';
import { maxItems } from '../server/list-limits.ts';
import { builder } from './builder.ts';
import { ALL_ERRORS, AlreadyUndone, CREDIT_ERRORS, ErrorInterface, SessionNotBooked } from './errors.ts';
import { globalId, inTeam, optionalRawId, rawId } from './ids.ts';

export const SessionStatusEnum = builder.enumType(SessionStatus, { name: 'SessionStatus' });

const CancellationOutcomeEnum = builder.enumType('CancellationOutcome', {
  values: {
    RETURN: { description: 'Cancelling now is early: the credit comes back.' },
    VOID: { description: 'Cancelling now is late: the credit is forfeited.' },
    NONE: { description: 'No credit is involved (or the session is not booked).' },
  } as const,
});

export const SessionType = builder.prismaNode('Session', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    status: t.expose('status', { type: SessionStatusEnum }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    notes: t.exposeString('notes', { nullable: true }),
    client: t.relation('client'),
    sessionType: t.relation('sessionType', { nullable: true }),
    package: t.relation('package', { nullable: true }),
    direct: t.boolean({
      description: 'A direct session: recorded without a package (non-package clients, or no credit needed).',
      resolve: (s) => s.packageId == null,
    }),
    creditUsed: t.boolean({ description: 'The session holds a credit right now.', resolve: (s) => s.holdsCredit }),
    cancelWindowHours: t.exposeInt('cancelWindowHours', {
      nullable: true,
      description: "The team's cancellation window when the session was booked; it decides early vs late.",
    }),
    cancellationOutcome: t.field({
      type: CancellationOutcomeEnum,
      description: 'What cancelling now would do to the credit (show it before confirming).',
      resolve: (s, _args, ctx) => sessions.cancellationOutcome(s, ctx.ledger.now()),
    }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
    undone: t.boolean({ resolve: (s) => s.undoneAt != null }),
    createdBy: t.relation('createdBy', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  sessions: t.prismaConnection({
    type: 'Session',
    cursor: 'id',
    description: 'Sessions, newest first. Undone sessions have left the history and are not listed.',
    args: {
      clientId: t.arg.id(),
      from: t.arg({ type: 'DateTime', description: 'Sessions starting at or after this time.' }),
      to: t.arg({ type: 'DateTime', description: 'Sessions starting before this time.' }),
      status: t.arg({ type: [SessionStatusEnum], ...maxItems(Object.keys(SessionStatus).length) }),
    },
    resolve: (query, _root, args, ctx) => {
      const where: Prisma.SessionWhereInput = { teamId: requireActor(ctx).teamId, undoneAt: null };
      if (args.clientId) where.clientId = rawId(args.clientId, 'Client', 'clientId');
      if (args.from || args.to) where.startsAt = { gte: args.from ?? undefined, lt: args.to ?? undefined };
      if (args.status?.length) where.status = { in: args.status };
      return ctx.prisma.session.findMany({ ...query, where, orderBy: [{ startsAt: 'desc' }, { id: 'asc' }] });
    },
  }),
}));

const SessionPayload = builder.objectRef<sessions.SessionResult>('SessionPayload').implement({
  fields: (t) => ({
    session: t.prismaField({
      type: 'Session',
      resolve: (query, p, _args, ctx) => ctx.prisma.session.findUniqueOrThrow({ ...query, where: { id: p.sessionId } }),
    }),
    client: t.prismaField({
      type: 'Client',
      resolve: (query, p, _args, ctx) => ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id: p.clientId } }),
    }),
    package: t.prismaField({
      type: 'Package',
      nullable: true,
      description: 'The package whose credit moved, if any.',
      resolve: (query, p, _args, ctx) =>
        p.packageId ? ctx.prisma.package.findUnique({ ...query, where: { id: p.packageId } }) : null,
    }),
    balance: t.exposeInt('balance', { description: "The client's total remaining credits afterwards." }),
  }),
});

const LogSessionInput = builder.inputType('LogSessionInput', {
  fields: (t) => ({
    clientId: t.id({ required: true }),
    status: t.field({ type: SessionStatusEnum, required: true }),
    packageId: t.id({ description: 'The package to use; default: the one that expires first.' }),
    sessionTypeId: t.id(),
    startsAt: t.field({ type: 'DateTime', description: 'Default: now.' }),
    notes: t.string(),
    idempotencyKey: t.string(),
  }),
});

const BookSessionInput = builder.inputType('BookSessionInput', {
  fields: (t) => ({
    clientId: t.id({ required: true }),
    sessionTypeId: t.id({ required: true }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    packageId: t.id(),
    notes: t.string(),
    idempotencyKey: t.string(),
  }),
});

const BulkLogSessionsInput = builder.inputType('BulkLogSessionsInput', {
  fields: (t) => ({
    clientIds: t.idList({ required: true, ...maxItems(BULK_LOG_MAX_CLIENTS) }),
    status: t.field({ type: SessionStatusEnum, required: true }),
    sessionTypeId: t.id(),
    startsAt: t.field({ type: 'DateTime' }),
    notes: t.string(),
    idempotencyKey: t.string({ description: 'A retry with the same key logs nobody twice.' }),
  }),
});

type BulkItem = sessions.BulkLogResult;

const BulkLogItem = builder.objectRef<BulkItem>('BulkLogItem').implement({
  fields: (t) => ({
    clientId: t.id({ resolve: (r) => globalId('Client', r.clientId) }),
    ok: t.exposeBoolean('ok'),
    client: t.prismaField({
      type: 'Client',
      nullable: true,
      resolve: (query, r, _args, ctx) =>
        ctx.prisma.client.findFirst({ ...query, where: { id: r.clientId, teamId: requireActor(ctx).teamId } }),
    }),
    result: t.field({ type: SessionPayload, nullable: true, resolve: (r) => (r.ok ? r.session : null) }),
    error: t.field({
      type: ErrorInterface,
      nullable: true,
      description: 'Why this client was not logged.',
      resolve: (r) => (r.ok ? null : (wrapErrorIfMatches(r.error, ALL_ERRORS) as typeof r.error)),
    }),
  }),
});

const BulkLogPayload = builder.objectRef<BulkItem[]>('BulkLogPayload').implement({
  fields: (t) => ({
    results: t.field({ type: [BulkLogItem], resolve: (items) => items }),
    succeeded: t.int({ resolve: (items) => items.filter((i) => i.ok).length }),
    failed: t.int({ resolve: (items) => items.filter((i) => !i.ok).length }),
  }),
});

builder.mutationFields((t) => ({
  logSession: t.field({
    type: SessionPayload,
    description:
      'Logs a past session. Package clients use one credit for COMPLETED, NO_SHOW and LATE_CANCELLED; CANCELLED uses none; other clients get a direct session.',
    errors: { types: CREDIT_ERRORS },
    args: { input: t.arg({ type: LogSessionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      sessions.logSession(ctx.ledger, requireActor(ctx), {
        ...input,
        clientId: rawId(input.clientId, 'Client', 'clientId'),
        packageId: optionalRawId(input.packageId, 'Package', 'packageId'),
        sessionTypeId: optionalRawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
      }),
  }),
  bookSession: t.field({
    type: SessionPayload,
    description:
      'Books a future session; a credit-requiring type takes one credit now, or is refused with the balance.',
    errors: { types: CREDIT_ERRORS },
    args: { input: t.arg({ type: BookSessionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      sessions.bookSession(ctx.ledger, requireActor(ctx), {
        ...input,
        clientId: rawId(input.clientId, 'Client', 'clientId'),
        sessionTypeId: rawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
        packageId: optionalRawId(input.packageId, 'Package', 'packageId'),
      }),
  }),
  cancelSession: t.field({
    type: SessionPayload,
    description:
      'Cancels a booking: before the window stored at booking the credit is RETURNED, inside it the credit is VOIDED.',
    errors: { types: [...CREDIT_ERRORS, SessionNotBooked, AlreadyUndone] },
    args: { sessionId: t.arg.id({ required: true }), note: t.arg.string(), idempotencyKey: t.arg.string() },
    resolve: (_root, args, ctx) =>
      sessions.cancelSession(ctx.ledger, requireActor(ctx), {
        ...args,
        sessionId: rawId(args.sessionId, 'Session', 'sessionId'),
      }),
  }),
  setSessionStatus: t.field({
    type: SessionPayload,
    errors: { types: [...CREDIT_ERRORS, AlreadyUndone] },
    args: { sessionId: t.arg.id({ required: true }), status: t.arg({ type: SessionStatusEnum, required: true }) },
    resolve: (_root, args, ctx) =>
      sessions.setSessionStatus(ctx.ledger, requireActor(ctx), {
        sessionId: rawId(args.sessionId, 'Session', 'sessionId'),
        status: args.status,
      }),
  }),
  undoSession: t.field({
    type: SessionPayload,
    description: 'Takes the session out of the history; a credit it used comes back as a REVERSED entry.',
    errors: { types: [...CREDIT_ERRORS, AlreadyUndone] },
    args: { sessionId: t.arg.id({ required: true }), idempotencyKey: t.arg.string() },
    resolve: (_root, args, ctx) =>
      sessions.undoSession(ctx.ledger, requireActor(ctx), {
        ...args,
        sessionId: rawId(args.sessionId, 'Session', 'sessionId'),
      }),
  }),
  bulkLogSessions: t.field({
    type: BulkLogPayload,
    description:
      "One status for many clients; each gets its own result, and one client's refusal never undoes another's.",
    errors: { types: CREDIT_ERRORS },
    args: { input: t.arg({ type: BulkLogSessionsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      sessions.bulkLogSessions(ctx.ledger, requireActor(ctx), {
        ...input,
        clientIds: input.clientIds.map((id) => rawId(String(id), 'Client', 'clientIds')),
        sessionTypeId: optionalRawId(input.sessionTypeId, 'SessionType', 'sessionTypeId'),
      }),
  }),
}));
