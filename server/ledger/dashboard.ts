import type { PrismaClient } from '../generated/prisma/client.ts';
import type { SessionStatus } from '../generated/prisma/enums.ts';
import { activePackageWhere, lowCreditClientIds } from './balances.ts';
import { InvalidInput } from './errors.ts';

export type TrendInterval = 'DAY' | 'WEEK';

export interface Dashboard {
  from: Date;
  to: Date;
  sessionsByStatus: { status: SessionStatus; count: number }[];
  activeClients: number;
  creditsIssued: number;
  /** Credits used in the range, net of those returned or restored by undo. */
  creditsUsed: number;
  /** Credits clients hold right now over active packages. */
  creditsOutstanding: number;
  revenueCents: number;
  expiringPackageIds: string[];
  lowCreditClientIds: string[];
  trend: { periodStart: Date; total: number; byStatus: Record<SessionStatus, number> }[];
}

const STATUSES: SessionStatus[] = ['BOOKED', 'COMPLETED', 'NO_SHOW', 'LATE_CANCELLED', 'CANCELLED'];
const MAX_RANGE_DAYS = 366 * 2;

/** The dashboard's numbers for [from, to), computed with a handful of aggregate queries. */
export async function dashboard(
  prisma: PrismaClient,
  teamId: string,
  range: { from: Date; to: Date; interval: TrendInterval },
  now: Date,
): Promise<Dashboard> {
  const { from, to, interval } = range;
  if (!(from < to)) throw new InvalidInput('to', '`to` must be after `from`.');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    throw new InvalidInput('to', `The range can be at most ${MAX_RANGE_DAYS} days.`);
  }
  const sessionWhere = { teamId, undoneAt: null, startsAt: { gte: from, lt: to } };
  const unit = interval === 'WEEK' ? 'week' : 'day';
  const [byStatus, active, credits, outstanding, revenue, expiring, low, trendRows] = await Promise.all([
    prisma.session.groupBy({ by: ['status'], where: sessionWhere, _count: { _all: true } }),
    prisma.session.findMany({ where: sessionWhere, distinct: ['clientId'], select: { clientId: true } }),
    prisma.ledgerEntry.groupBy({
      by: ['event'],
      where: { teamId, createdAt: { gte: from, lt: to }, event: { in: ['ISSUED', 'USED', 'RETURNED', 'REVERSED'] } },
      _sum: { amount: true },
    }),
    prisma.package.aggregate({ where: { teamId, ...activePackageWhere(now) }, _sum: { remainingCredits: true } }),
    prisma.package.aggregate({ where: { teamId, createdAt: { gte: from, lt: to } }, _sum: { priceCents: true } }),
    prisma.package.findMany({
      where: {
        teamId,
        expiredAt: null,
        remainingCredits: { gt: 0 },
        expiresOn: { gt: now, lte: new Date(now.getTime() + 7 * 86_400_000) },
      },
      select: { id: true },
      orderBy: { expiresOn: 'asc' },
    }),
    lowCreditClientIds(prisma, teamId, now),
    prisma.$queryRawUnsafe<{ period: Date; status: SessionStatus; count: number }[]>(
      `SELECT date_trunc('${unit}', "startsAt" AT TIME ZONE 'UTC') AS period, "status", COUNT(*)::int AS count
         FROM "Session"
        WHERE "teamId" = $1 AND "undoneAt" IS NULL AND "startsAt" >= $2 AND "startsAt" < $3
        GROUP BY 1, 2`,
      teamId,
      from,
      to,
    ),
  ]);
  const sum = (event: string) => credits.find((c) => c.event === event)?._sum.amount ?? 0;
  return {
    from,
    to,
    sessionsByStatus: STATUSES.map((status) => ({
      status,
      count: byStatus.find((s) => s.status === status)?._count._all ?? 0,
    })),
    activeClients: active.length,
    creditsIssued: sum('ISSUED'),
    creditsUsed: -(sum('USED') + sum('RETURNED') + sum('REVERSED')),
    creditsOutstanding: outstanding._sum.remainingCredits ?? 0,
    revenueCents: revenue._sum.priceCents ?? 0,
    expiringPackageIds: expiring.map((p) => p.id),
    lowCreditClientIds: low,
    trend: buildTrend(from, to, interval, trendRows),
  };
}

/** Every period in the range, including empty ones, so a chart has no holes. */
function buildTrend(
  from: Date,
  to: Date,
  interval: TrendInterval,
  rows: { period: Date; status: SessionStatus; count: number }[],
): Dashboard['trend'] {
  const start = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  if (interval === 'WEEK') start.setUTCDate(start.getUTCDate() - ((start.getUTCDay() + 6) % 7)); // ISO weeks start Monday
  const step = interval === 'WEEK' ? 7 : 1;
  const series: Dashboard['trend'] = [];
  for (const d = start; d < to; d.setUTCDate(d.getUTCDate() + step)) {
    const periodStart = new Date(d);
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SessionStatus, number>;
    for (const row of rows) {
      if (new Date(row.period).getTime() === periodStart.getTime()) byStatus[row.status] += Number(row.count);
    }
    series.push({ periodStart, total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus });
  }
  return series;
}
