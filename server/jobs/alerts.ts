import type { PrismaClient } from '../generated/prisma/client.ts';
import { activePackageWhere } from '../ledger/balances.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { enqueueMail, type MailDraft, queuedKeys } from '../mail/outbox.ts';

/**
 * Alert jobs: they only *queue* mail (the sender delivers it). Each alert has a dedupe key
 * naming the event it reports, and the outbox's unique index on that key is what makes an
 * alert go out once, ever, however many instances find the same event at the same moment.
 */

const DAY_MS = 86_400_000;
/** Expiry alerts go out from the start of the (UTC) day this many days before the expiry date. */
export const EXPIRY_ALERT_DAYS = 7;
/**
 * How far back the running-low job looks for a crossing. Bounds each run's scan, keeps a first
 * deployment from mailing about every client that has been low for months, and still lets the
 * jobs catch up after a week of downtime.
 */
export const LOW_CREDIT_LOOKBACK_DAYS = 7;

export const expiryAlertKey = (packageId: string) => `expiry-alert:${packageId}`;
export const lowCreditAlertKey = (clientId: string, sequence: number) => `low-credits:${clientId}:${sequence}`;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

/** Email addresses of the team's active owners and admins, by team. */
async function managerEmails(prisma: PrismaClient, teamIds: string[]): Promise<Map<string, string[]>> {
  const members = await prisma.member.findMany({
    where: { teamId: { in: teamIds }, removedAt: null, role: { in: ['OWNER', 'ADMIN'] } },
    select: { teamId: true, user: { select: { email: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  const byTeam = new Map<string, string[]>();
  for (const m of members) byTeam.set(m.teamId, [...(byTeam.get(m.teamId) ?? []), m.user.email]);
  return byTeam;
}

/**
 * One email per package that expires within EXPIRY_ALERT_DAYS and still has credits, to the
 * team's owners and admins and to the member who created the package (if still on the team).
 * Returns how many alerts this call queued.
 */
export async function queueExpiryAlerts(ctx: LedgerContext): Promise<number> {
  const now = ctx.now();
  const horizon = new Date(now.getTime() + EXPIRY_ALERT_DAYS * DAY_MS);
  // Only packages inside the alert window: a bounded set, so no paging is needed.
  const due = await ctx.prisma.package.findMany({
    where: {
      expiredAt: null,
      remainingCredits: { gt: 0 },
      expiresOn: { gt: now, lte: horizon },
      client: { archivedAt: null },
      // Credits of an archived session type cannot be used anyway: nothing to act on.
      OR: [{ sessionTypeId: null }, { sessionType: { archivedAt: null } }],
    },
    select: { id: true },
  });
  const queued = await queuedKeys(
    ctx.prisma,
    due.map((p) => expiryAlertKey(p.id)),
  );
  const fresh = due.filter((p) => !queued.has(expiryAlertKey(p.id))).map((p) => p.id);
  if (fresh.length === 0) return 0;

  const packages = await ctx.prisma.package.findMany({
    where: { id: { in: fresh } },
    select: {
      id: true,
      teamId: true,
      name: true,
      remainingCredits: true,
      totalCredits: true,
      expiresOn: true,
      client: { select: { name: true } },
      team: { select: { name: true } },
      createdBy: { select: { removedAt: true, user: { select: { email: true } } } },
    },
    orderBy: [{ expiresOn: 'asc' }, { id: 'asc' }],
  });
  const managers = await managerEmails(ctx.prisma, [...new Set(packages.map((p) => p.teamId))]);
  const drafts: MailDraft[] = packages.map((p) => {
    const expiresOn = p.expiresOn as Date;
    const lastDay = isoDay(new Date(expiresOn.getTime() - DAY_MS));
    const creator = p.createdBy && p.createdBy.removedAt == null ? [p.createdBy.user.email] : [];
    return {
      teamId: p.teamId,
      dedupeKey: expiryAlertKey(p.id),
      to: [...(managers.get(p.teamId) ?? []), ...creator],
      subject: `${p.client.name}'s package "${p.name}" expires on ${isoDay(expiresOn)} with ${credits(p.remainingCredits)} left`,
      text: [
        `${p.client.name}'s package "${p.name}" at ${p.team.name} expires on ${isoDay(expiresOn)}.`,
        '',
        `Credits left: ${p.remainingCredits} of ${p.totalCredits}.`,
        `They can be used until the end of ${lastDay}; after that the unused credits lapse (they stay visible in the balance history as EXPIRED).`,
        '',
        'Book or log the remaining sessions, or talk to the client about renewing.',
        '',
        '— Punchcard',
      ].join('\n'),
    };
  });
  return enqueueMail(ctx.prisma, drafts, now);
}

interface Crossing {
  teamId: string;
  clientId: string;
  sequence: number;
}

/**
 * "Running low": one email to the owners and admins when a ledger entry takes a package
 * client's total from above the team's lowCreditThreshold to at or below it. The dedupe key is
 * the client plus the sequence of the entry that crossed, so the alert is sent once per
 * crossing: a client who is topped up and runs low again gets a new one, a client who stays
 * low gets no more. A client who never was above the threshold (e.g. bought a 2-credit pack)
 * never crossed it and gets none.
 */
export async function queueLowCreditAlerts(ctx: LedgerContext): Promise<number> {
  const now = ctx.now();
  const since = new Date(now.getTime() - LOW_CREDIT_LOOKBACK_DAYS * DAY_MS);
  // The crossing entry: at or below the threshold, the client's previous entry above it, and no
  // later entry back above it. The subqueries ride on the (clientId, sequence) index.
  const crossings = await ctx.prisma.$queryRaw<Crossing[]>`
    SELECT e."teamId", e."clientId", e."sequence"
      FROM "LedgerEntry" e
      JOIN "Team" t ON t."id" = e."teamId"
      JOIN "Client" c ON c."id" = e."clientId"
     WHERE e."createdAt" >= ${since}
       AND e."balanceAfter" <= t."lowCreditThreshold"
       AND c."billingType" = 'PACKAGE' AND c."archivedAt" IS NULL
       AND (SELECT p."balanceAfter" FROM "LedgerEntry" p
             WHERE p."clientId" = e."clientId" AND p."sequence" < e."sequence"
             ORDER BY p."sequence" DESC LIMIT 1) > t."lowCreditThreshold"
       AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" l
                        WHERE l."clientId" = e."clientId" AND l."sequence" > e."sequence"
                          AND l."balanceAfter" > t."lowCreditThreshold")
       AND NOT EXISTS (SELECT 1 FROM "MailOutbox" m
                        WHERE m."dedupeKey" = 'low-credits:' || e."clientId" || ':' || e."sequence")
     ORDER BY e."teamId", e."sequence"
     LIMIT 500`;
  if (crossings.length === 0) return 0;

  const clientIds = crossings.map((c) => c.clientId);
  const clients = await ctx.prisma.client.findMany({
    where: { id: { in: clientIds } },
    select: {
      id: true,
      name: true,
      team: { select: { name: true, lowCreditThreshold: true } },
      packages: { where: activePackageWhere(now), select: { remainingCredits: true } },
    },
  });
  const byId = new Map(clients.map((c) => [c.id, c]));
  const managers = await managerEmails(ctx.prisma, [...new Set(crossings.map((c) => c.teamId))]);
  const drafts: MailDraft[] = [];
  for (const crossing of crossings) {
    const client = byId.get(crossing.clientId);
    if (!client) continue;
    const total = client.packages.reduce((sum, p) => sum + p.remainingCredits, 0);
    // The ledger says it crossed; the packages say whether it is still low right now (an
    // expiry by date since the last entry only lowers it further).
    if (total > client.team.lowCreditThreshold) continue;
    drafts.push({
      teamId: crossing.teamId,
      dedupeKey: lowCreditAlertKey(crossing.clientId, crossing.sequence),
      to: managers.get(crossing.teamId) ?? [],
      subject: `${client.name} is running low: ${credits(total)} left`,
      text: [
        `${client.name} has ${credits(total)} left across active packages at ${client.team.name}`,
        `(your low-credit threshold is ${client.team.lowCreditThreshold}).`,
        '',
        'Offer a new package before the next session.',
        '',
        '— Punchcard',
      ].join('\n'),
    });
  }
  return enqueueMail(ctx.prisma, drafts, now);
}
