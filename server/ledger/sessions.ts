import type { SessionChange, SessionStatus } from '../generated/prisma/enums.ts';
import { type Actor, actorColumns, requireWrite } from './actor.ts';
import { ClientCredits, isExpired } from './client-credits.ts';
import type { LedgerContext } from './context.ts';
import {
  AlreadyUndone,
  DomainError,
  InsufficientCredits,
  InvalidInput,
  NotFound,
  SessionNotBooked,
  SessionTypeArchived,
} from './errors.ts';
import { LOGGABLE_STATUSES, SESSION_NOTES_MAX_LENGTH } from './limits.ts';
import { idempotent, type TeamWrite, writeForTeam } from './team-write.ts';
import * as v from './validate.ts';

/** Statuses that take a credit when logged: the client showed up, or forfeited by policy. */
const USES_CREDIT: ReadonlySet<SessionStatus> = new Set(['COMPLETED', 'NO_SHOW', 'LATE_CANCELLED']);
const LOGGABLE: ReadonlySet<SessionStatus> = new Set(LOGGABLE_STATUSES);
/** One bulk log takes at most this many clients (the API refuses longer lists up front). */
export const BULK_LOG_MAX_CLIENTS = 200;

export interface SessionResult {
  sessionId: string;
  clientId: string;
  packageId: string | null;
  /** The client's total remaining credits after the operation. */
  balance: number;
}

function sessionResult(
  session: { id: string; clientId: string },
  packageId: string | null,
  credits: ClientCredits,
): SessionResult {
  return { sessionId: session.id, clientId: session.clientId, packageId, balance: credits.balance() };
}

async function sessionType(w: TeamWrite, id: string | null | undefined) {
  if (id == null) return null;
  const type = await w.tx.sessionType.findFirst({ where: { id, teamId: w.team.id } });
  if (!type) throw new NotFound('SessionType', id);
  if (type.archivedAt) throw new SessionTypeArchived(type.id);
  return type;
}

/** A session moves a credit only for package clients, and only for types that require credits. */
function takesCredit(credits: ClientCredits, type: { requiresCredits: boolean } | null): boolean {
  return credits.client.billingType === 'PACKAGE' && (type?.requiresCredits ?? true);
}

async function recordChange(
  w: TeamWrite,
  session: { id: string; clientId: string },
  change: SessionChange,
  status: SessionStatus,
) {
  await w.tx.sessionEvent.create({
    data: {
      teamId: w.team.id,
      sequence: w.nextSequence(),
      clientId: session.clientId,
      sessionId: session.id,
      change,
      status,
      createdAt: w.now,
      ...actorColumns(w.actor),
    },
  });
}

export interface LogSessionInput {
  clientId: string;
  status: SessionStatus;
  packageId?: string | null;
  sessionTypeId?: string | null;
  startsAt?: Date | null;
  notes?: string | null;
  idempotencyKey?: string | null;
}

export async function logSession(ctx: LedgerContext, actor: Actor, input: LogSessionInput): Promise<SessionResult> {
  requireWrite(actor);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'logSession', input, () => logSessionIn(w, input)),
  );
}

async function logSessionIn(w: TeamWrite, input: LogSessionInput): Promise<SessionResult> {
  if (!LOGGABLE.has(input.status)) {
    throw new InvalidInput(
      'status',
      'A logged session is COMPLETED, NO_SHOW, LATE_CANCELLED or CANCELLED; use bookSession to book.',
    );
  }
  const notes = v.note(input.notes, SESSION_NOTES_MAX_LENGTH);
  const startsAt = input.startsAt ? v.date('startsAt', input.startsAt) : w.now;
  const credits = await ClientCredits.load(w, input.clientId);
  if (credits.client.archivedAt) throw new InvalidInput('clientId', 'The client is archived.');
  const type = await sessionType(w, input.sessionTypeId);
  const useCredit = USES_CREDIT.has(input.status) && takesCredit(credits, type);
  const pkg = useCredit ? credits.choose(type?.id ?? null, input.packageId) : null;
  const session = await w.tx.session.create({
    data: {
      teamId: w.team.id,
      clientId: credits.client.id,
      sessionTypeId: type?.id ?? null,
      packageId: pkg?.id ?? null,
      status: input.status,
      startsAt,
      notes,
      holdsCredit: pkg != null,
      cancelledAt: input.status.endsWith('CANCELLED') ? w.now : null,
      createdById: w.actor.kind === 'MEMBER' ? w.actor.memberId : null,
      createdAt: w.now,
    },
  });
  if (pkg) {
    await credits.move(pkg, 'USED', -1, { sessionId: session.id, sessionTypeId: session.sessionTypeId });
  } else {
    await recordChange(w, session, 'LOGGED', session.status);
  }
  return sessionResult(session, pkg?.id ?? null, credits);
}

export interface BookSessionInput {
  clientId: string;
  sessionTypeId: string;
  startsAt: Date;
  packageId?: string | null;
  notes?: string | null;
  idempotencyKey?: string | null;
}

/** A future session; a credit-requiring type takes its credit now, refused when there is none. */
export async function bookSession(ctx: LedgerContext, actor: Actor, input: BookSessionInput): Promise<SessionResult> {
  requireWrite(actor);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'bookSession', input, async () => {
      const startsAt = v.date('startsAt', input.startsAt);
      if (startsAt.getTime() <= w.now.getTime()) {
        throw new InvalidInput('startsAt', 'A booking must start in the future; use logSession for past sessions.');
      }
      const notes = v.note(input.notes, SESSION_NOTES_MAX_LENGTH);
      const credits = await ClientCredits.load(w, input.clientId);
      if (credits.client.archivedAt) throw new InvalidInput('clientId', 'The client is archived.');
      const type = await sessionType(w, input.sessionTypeId);
      if (!type) throw new InvalidInput('sessionTypeId', 'Choose a session type to book.');
      let pkg = null;
      if (takesCredit(credits, type)) {
        if (input.packageId == null && credits.balanceFor(type.id) === 0) {
          throw new InsufficientCredits(0, 1, type.id);
        }
        pkg = credits.choose(type.id, input.packageId);
      }
      const session = await w.tx.session.create({
        data: {
          teamId: w.team.id,
          clientId: credits.client.id,
          sessionTypeId: type.id,
          packageId: pkg?.id ?? null,
          status: 'BOOKED',
          startsAt,
          notes,
          cancelWindowHours: w.team.cancelWindowHours,
          holdsCredit: pkg != null,
          createdById: w.actor.kind === 'MEMBER' ? w.actor.memberId : null,
          createdAt: w.now,
        },
      });
      if (pkg) await credits.move(pkg, 'USED', -1, { sessionId: session.id, sessionTypeId: type.id });
      else await recordChange(w, session, 'BOOKED', 'BOOKED');
      return sessionResult(session, pkg?.id ?? null, credits);
    }),
  );
}

async function loadSession(w: TeamWrite, sessionId: string) {
  const session = await w.tx.session.findFirst({ where: { id: sessionId, teamId: w.team.id } });
  if (!session) throw new NotFound('Session', sessionId);
  if (session.undoneAt) throw new AlreadyUndone(session.id);
  return session;
}

export type CancellationOutcome = 'RETURN' | 'VOID' | 'NONE';

/**
 * What cancelling now would do to the credit, decided by the window stored at booking time
 * (changing the team's window later never changes an existing booking's outcome).
 */
export function cancellationOutcome(
  session: { status: SessionStatus; holdsCredit: boolean; startsAt: Date; cancelWindowHours: number | null },
  now: Date,
): CancellationOutcome {
  if (session.status !== 'BOOKED' || !session.holdsCredit) return 'NONE';
  return isEarlyCancel(session, now) ? 'RETURN' : 'VOID';
}

function isEarlyCancel(session: { startsAt: Date; cancelWindowHours: number | null }, now: Date): boolean {
  const deadline = session.startsAt.getTime() - (session.cancelWindowHours ?? 0) * 3_600_000;
  return now.getTime() <= deadline;
}

export interface CancelSessionInput {
  sessionId: string;
  note?: string | null;
  idempotencyKey?: string | null;
}

export async function cancelSession(
  ctx: LedgerContext,
  actor: Actor,
  input: CancelSessionInput,
): Promise<SessionResult> {
  requireWrite(actor);
  const note = v.note(input.note);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'cancelSession', input, async () => {
      const session = await loadSession(w, input.sessionId);
      if (session.status !== 'BOOKED') throw new SessionNotBooked(session.id, session.status);
      const early = isEarlyCancel(session, w.now);
      const status: SessionStatus = early ? 'CANCELLED' : 'LATE_CANCELLED';
      const credits = await ClientCredits.load(w, session.clientId);
      await w.tx.session.update({
        where: { id: session.id },
        data: { status, cancelledAt: w.now, holdsCredit: session.holdsCredit && !early },
      });
      if (session.holdsCredit && session.packageId) {
        const pkg = credits.get(session.packageId);
        const extra = { sessionId: session.id, sessionTypeId: session.sessionTypeId, note };
        if (early) {
          await credits.move(pkg, 'RETURNED', 1, extra);
          await expireIfLapsed(w, credits, pkg);
        } else {
          await credits.move(pkg, 'VOIDED', 0, extra);
        }
      } else {
        await recordChange(w, session, 'CANCELLED', status);
      }
      return sessionResult(session, session.packageId, credits);
    }),
  );
}

/** BOOKED → COMPLETED/NO_SHOW, or a correction among the statuses that all keep the credit. */
export async function setSessionStatus(
  ctx: LedgerContext,
  actor: Actor,
  input: { sessionId: string; status: SessionStatus },
): Promise<SessionResult> {
  requireWrite(actor);
  return writeForTeam(ctx, actor, async (w) => {
    const session = await loadSession(w, input.sessionId);
    const allowed =
      session.status === 'BOOKED'
        ? input.status === 'COMPLETED' || input.status === 'NO_SHOW'
        : USES_CREDIT.has(session.status) && USES_CREDIT.has(input.status);
    if (!allowed) {
      throw new InvalidInput(
        'status',
        session.status === 'BOOKED'
          ? 'A booked session can be marked COMPLETED or NO_SHOW; cancel it with cancelSession.'
          : `A ${session.status} session cannot become ${input.status}; undo it and log it again.`,
      );
    }
    const credits = await ClientCredits.load(w, session.clientId);
    if (session.status !== input.status) {
      await w.tx.session.update({ where: { id: session.id }, data: { status: input.status } });
      await recordChange(w, session, 'STATUS_CHANGED', input.status);
    }
    return sessionResult(session, session.packageId, credits);
  });
}

/**
 * Takes a session out of the history. A credit it still holds comes back with a REVERSED
 * entry pointing at the USED one; both lines stay in the balance history.
 */
export async function undoSession(
  ctx: LedgerContext,
  actor: Actor,
  input: { sessionId: string; idempotencyKey?: string | null },
): Promise<SessionResult> {
  requireWrite(actor);
  return writeForTeam(ctx, actor, (w) =>
    idempotent(w, input.idempotencyKey, 'undoSession', input, async () => {
      const session = await loadSession(w, input.sessionId);
      const credits = await ClientCredits.load(w, session.clientId);
      await w.tx.session.update({ where: { id: session.id }, data: { undoneAt: w.now, holdsCredit: false } });
      if (session.holdsCredit && session.packageId) {
        const used = await w.tx.ledgerEntry.findFirstOrThrow({ where: { sessionId: session.id, event: 'USED' } });
        const pkg = credits.get(session.packageId);
        await credits.move(pkg, 'REVERSED', 1, {
          sessionId: session.id,
          sessionTypeId: session.sessionTypeId,
          reversesId: used.id,
        });
        await expireIfLapsed(w, credits, pkg);
      } else {
        await recordChange(w, session, 'UNDONE', session.status);
      }
      return sessionResult(session, session.packageId, credits);
    }),
  );
}

/** A credit given back to an already-expired package lapses at once: expired packages are read-only. */
async function expireIfLapsed(w: TeamWrite, credits: ClientCredits, pkg: ReturnType<ClientCredits['get']>) {
  if (pkg.expiredAt == null || !isExpired(pkg, w.now)) return;
  await credits.move(pkg, 'EXPIRED', -1);
  await w.tx.package.update({ where: { id: pkg.id }, data: { expiredCredits: { increment: 1 } } });
}

export interface BulkLogInput {
  clientIds: string[];
  status: SessionStatus;
  sessionTypeId?: string | null;
  startsAt?: Date | null;
  notes?: string | null;
  idempotencyKey?: string | null;
}

export type BulkLogResult =
  | { clientId: string; ok: true; session: SessionResult }
  | { clientId: string; ok: false; error: DomainError };

/**
 * One status for many clients. Each client is its own transaction (one client's refusal never
 * rolls back another's) with its own derived idempotency key, so a retry of the whole bulk
 * with the same key redoes nothing that already happened.
 */
export async function bulkLogSessions(ctx: LedgerContext, actor: Actor, input: BulkLogInput): Promise<BulkLogResult[]> {
  requireWrite(actor);
  const clientIds = [...new Set(input.clientIds)];
  if (clientIds.length === 0 || clientIds.length > BULK_LOG_MAX_CLIENTS) {
    throw new InvalidInput('clientIds', `Choose between 1 and ${BULK_LOG_MAX_CLIENTS} clients.`);
  }
  const results: BulkLogResult[] = [];
  for (const clientId of clientIds) {
    try {
      const session = await logSession(ctx, actor, {
        clientId,
        status: input.status,
        sessionTypeId: input.sessionTypeId,
        startsAt: input.startsAt,
        notes: input.notes,
        idempotencyKey: input.idempotencyKey ? `${input.idempotencyKey}:${clientId}` : null,
      });
      results.push({ clientId, ok: true, session });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      results.push({ clientId, ok: false, error });
    }
  }
  return results;
}
