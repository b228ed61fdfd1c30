import { createHash } from 'node:crypto';
import { Admission, TRANSACTION_MAX_WAIT_MS } from '../db/admission.ts';
import type { LedgerEvent, Prisma } from '../generated/prisma/client.ts';
import type { Actor } from './actor.ts';
import type { LedgerContext } from './context.ts';
import { IdempotencyKeyReused, InvalidInput } from './errors.ts';

export type Tx = Prisma.TransactionClient;

export interface TeamWrite {
  tx: Tx;
  actor: Actor;
  now: Date;
  team: { id: string; cancelWindowHours: number; lowCreditThreshold: number };
  /** The team's next sequence number; only valid inside this transaction. */
  nextSequence(): number;
  /** Events of the ledger entries appended so far, reported once the transaction commits. */
  entries: LedgerEvent[];
}

/**
 * Runs `fn` in one transaction holding the row lock on the team's sequence counter.
 * Every write of a team goes through here, so writes of one team are serialized: commit order
 * equals sequence order, the sequence has no gaps (a rollback gives its numbers back), and
 * reads inside `fn` see every earlier commit — two writers can never both take a last credit.
 *
 * Before the transaction, writers of one team take turns in this process (teamTurn): at most
 * TEAM_WRITERS of them hold a database connection at once (one of them the row lock), the rest
 * wait in memory. Without
 * that, a burst on one team (500 writes at once) held every pooled connection in a row-lock
 * wait, starving other teams, and lock waits grew past the statement timeout that exists to
 * notice a dead link — a busy team looked like a database outage. The row lock still orders
 * writers of several server instances.
 */
export async function writeForTeam<T>(ctx: LedgerContext, actor: Actor, fn: (w: TeamWrite) => Promise<T>): Promise<T> {
  const leave = await teamTurn(ctx, actor.teamId);
  try {
    return await writeInTransaction(ctx, actor, fn);
  } finally {
    leave();
  }
}

/**
 * Writers of one team in a transaction at once, per process. More than one keeps the database
 * busy while the process prepares the next write (the next writer is already waiting on the row
 * lock when the previous one commits); a few at most keep each lock wait to a few commits.
 */
const TEAM_WRITERS = 3;

/** Per database, the teams whose writers are waiting or writing now (forgotten when idle). */
const turnsByDatabase = new WeakMap<object, Map<string, Admission>>();

async function teamTurn(ctx: LedgerContext, teamId: string): Promise<() => void> {
  const turns = turnsByDatabase.get(ctx.prisma) ?? new Map<string, Admission>();
  turnsByDatabase.set(ctx.prisma, turns);
  const turn = turns.get(teamId) ?? new Admission(TEAM_WRITERS, 'turn to write for this team');
  turns.set(teamId, turn);
  const leave = await turn.enter().catch((error) => {
    if (turn.idle) turns.delete(teamId);
    throw error;
  });
  return () => {
    leave();
    if (turn.idle && turns.get(teamId) === turn) turns.delete(teamId);
  };
}

async function writeInTransaction<T>(ctx: LedgerContext, actor: Actor, fn: (w: TeamWrite) => Promise<T>): Promise<T> {
  let advanced = false;
  let entries: LedgerEvent[] = [];
  const result = await ctx.prisma.$transaction(
    async (tx) => {
      const [team] = await tx.$queryRaw<
        { id: string; cancelWindowHours: number; lowCreditThreshold: number; lastSequence: number }[]
      >`SELECT "id", "cancelWindowHours", "lowCreditThreshold", "lastSequence"
          FROM "Team" WHERE "id" = ${actor.teamId} FOR UPDATE`;
      if (!team) throw new InvalidInput('teamId', 'The team no longer exists.');
      let sequence = team.lastSequence;
      entries = [];
      const out = await fn({ tx, actor, now: ctx.now(), team, nextSequence: () => ++sequence, entries });
      if (sequence !== team.lastSequence) {
        await tx.team.update({ where: { id: team.id }, data: { lastSequence: sequence } });
        advanced = true;
      }
      return out;
    },
    // The transaction's own budget; waiting for the turn and for a connection is bounded by the
    // admissions (server/db/admission.ts), not here.
    { maxWait: TRANSACTION_MAX_WAIT_MS, timeout: 60_000 },
  );
  if (advanced) ctx.teamChanged?.(actor.teamId);
  if (entries.length > 0) ctx.entriesWritten?.(entries);
  return result;
}

const IDEMPOTENCY_KEY_MAX = 200;

/**
 * Runs `run` at most once per (team, key). A retry with the same key and the same input gets
 * the first result back; the same key with other input is refused. Called inside
 * `writeForTeam`, so the team lock already orders concurrent retries: the second one sees the
 * first one's committed record. A refused operation stores nothing (it changed nothing, so a
 * retry may try again).
 */
export async function idempotent<T>(
  w: TeamWrite,
  key: string | null | undefined,
  operation: string,
  input: unknown,
  run: () => Promise<T>,
): Promise<T> {
  if (key == null) return run();
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw new InvalidInput('idempotencyKey', `idempotencyKey must be 1–${IDEMPOTENCY_KEY_MAX} characters.`);
  }
  const requestHash = hashInput(operation, input);
  const existing = await w.tx.idempotencyRecord.findUnique({
    where: { teamId_key: { teamId: w.team.id, key } },
  });
  if (existing) {
    if (existing.requestHash !== requestHash) throw new IdempotencyKeyReused(key);
    return existing.result as T;
  }
  const result = await run();
  await w.tx.idempotencyRecord.create({
    data: { teamId: w.team.id, key, operation, requestHash, result: result as Prisma.InputJsonValue },
  });
  return result;
}

function hashInput(operation: string, input: unknown): string {
  return createHash('sha256').update(operation).update('\0').update(stableJson(input)).digest('hex');
}

/** JSON with sorted keys and no undefined, so equal inputs hash equally. */
function stableJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
