import { requireActor } from '../server/context.ts';
import { type Dashboard, dashboard } from '../server/ledger/dashboard.ts';
import { builder } from './builder.ts';
import { SessionStatusEnum } from './session.ts';

const TrendIntervalEnum = builder.enumType('TrendInterval', { values: ['DAY', 'WEEK'] as const });

const StatusCount = builder.objectRef<Dashboard['sessionsByStatus'][number]>('StatusCount').implement({
  fields: (t) => ({
    status: t.expose('status', { type: SessionStatusEnum }),
    count: t.exposeInt('count'),
  }),
});

const TrendPoint = builder.objectRef<Dashboard['trend'][number]>('TrendPoint').implement({
  fields: (t) => ({
    periodStart: t.expose('periodStart', { type: 'DateTime' }),
    total: t.exposeInt('total'),
    booked: t.int({ resolve: (p) => p.byStatus.BOOKED }),
    completed: t.int({ resolve: (p) => p.byStatus.COMPLETED }),
    noShow: t.int({ resolve: (p) => p.byStatus.NO_SHOW }),
    lateCancelled: t.int({ resolve: (p) => p.byStatus.LATE_CANCELLED }),
    cancelled: t.int({ resolve: (p) => p.byStatus.CANCELLED }),
  }),
});

const DashboardType = builder.objectRef<Dashboard>('Dashboard').implement({
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime' }),
    sessionsByStatus: t.field({ type: [StatusCount], resolve: (d) => d.sessionsByStatus }),
    activeClients: t.exposeInt('activeClients', { description: 'Clients with at least one session in the range.' }),
    creditsIssued: t.exposeInt('creditsIssued'),
    creditsUsed: t.exposeInt('creditsUsed', { description: 'Net of credits returned or restored by undo.' }),
    creditsOutstanding: t.exposeInt('creditsOutstanding', {
      description: 'Credits clients hold now on active packages.',
    }),
    revenueCents: t.exposeInt('revenueCents', { description: 'Sum of the prices of packages created in the range.' }),
    expiringPackages: t.prismaField({
      type: ['Package'],
      description: 'Packages with credits left that expire within 7 days.',
      resolve: (query, d, _args, ctx) =>
        ctx.prisma.package.findMany({
          ...query,
          where: { id: { in: d.expiringPackageIds } },
          orderBy: { expiresOn: 'asc' },
        }),
    }),
    lowCreditClients: t.prismaField({
      type: ['Client'],
      resolve: (query, d, _args, ctx) =>
        ctx.prisma.client.findMany({ ...query, where: { id: { in: d.lowCreditClientIds } }, orderBy: { name: 'asc' } }),
    }),
    trend: t.field({ type: [TrendPoint], resolve: (d) => d.trend }),
  }),
});

builder.queryField('dashboard', (t) =>
  t.field({
    type: DashboardType,
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      interval: t.arg({ type: TrendIntervalEnum, defaultValue: 'DAY' }),
    },
    resolve: (_root, args, ctx) =>
      dashboard(
        ctx.prisma,
        requireActor(ctx).teamId,
        { from: args.from, to: args.to, interval: args.interval ?? 'DAY' },
        ctx.ledger.now(),
      ),
  }),
);
