import { ENTRY_NOTE_MAX_LENGTH } from '../../../server/ledger/limits';
/** Pure rules the dialogs preview before the server confirms them (the server stays the judge). */

export interface CreditBalanceLine {
  sessionTypeId?: string | null;
  sessionTypeName?: string | null;
  remainingCredits: number;
  archived: boolean;
}

/** The credits on packages limited to one session type (null = untyped packages): what Remove credits can take. */
export function typeBalance(lines: readonly CreditBalanceLine[], sessionTypeId: string | null): number {
  return lines.find((l) => (l.sessionTypeId ?? null) === sessionTypeId)?.remainingCredits ?? 0;
}

/**
 * Credits that can pay for a session of this type (null = a session of no type), the ledger's
 * rule: its own packages (unless archived) plus the packages without a type, which serve any
 * session. A package limited to a type never pays for another type or for an untyped session.
 * Issue credits and Book session both show this as the "Credit balance".
 */
export function usableFor(lines: readonly CreditBalanceLine[], sessionTypeId: string | null): number {
  return lines
    .filter((l) => !l.archived && (l.sessionTypeId == null || l.sessionTypeId === sessionTypeId))
    .reduce((sum, l) => sum + l.remainingCredits, 0);
}

export type CreditPreview =
  | { ok: true; balance: number; newBalance: number }
  | { ok: false; balance: number; newBalance: number | null; reason: string };

/** What Issue credits / Remove credits will leave, shown as "New credit balance" before confirming. */
export function previewCredits(mode: 'issue' | 'remove', balance: number, amountText: string): CreditPreview {
  const trimmed = amountText.trim();
  if (trimmed === '') return { ok: false, balance, newBalance: null, reason: 'Enter a number of credits.' };
  const amount = Number(trimmed);
  if (!Number.isInteger(amount) || amount < 1) {
    return { ok: false, balance, newBalance: null, reason: 'Enter a whole number of credits, 1 or more.' };
  }
  if (mode === 'issue') return { ok: true, balance, newBalance: balance + amount };
  if (amount > balance) {
    return {
      ok: false,
      balance,
      newBalance: null,
      reason: `Only ${balance} ${balance === 1 ? 'credit' : 'credits'} can be removed.`,
    };
  }
  return { ok: true, balance, newBalance: balance - amount };
}

export type BookingPreview =
  | { kind: 'free' }
  | { kind: 'ok'; balance: number; after: number }
  | { kind: 'short'; balance: number };

/** Booking a credit-requiring type takes one credit now; without one it is refused. */
export function previewBooking(requiresCredits: boolean, usable: number): BookingPreview {
  if (!requiresCredits) return { kind: 'free' };
  if (usable < 1) return { kind: 'short', balance: usable };
  return { kind: 'ok', balance: usable, after: usable - 1 };
}

export type CancellationOutcome = 'RETURN' | 'VOID' | 'NONE';

/** The words shown before confirming a cancel; the outcome itself comes from the server. */
export function cancelWording(
  outcome: CancellationOutcome,
  windowHours: number | null | undefined,
): { title: string; detail: string; tone: 'ok' | 'warn' | 'info' } {
  const hours = windowHours ?? 0;
  const windowText = `${hours}-hour cancellation window`;
  switch (outcome) {
    case 'RETURN':
      return {
        title: 'Early cancel: the credit will be returned',
        detail: `This is before the ${windowText}, so the client gets the credit back.`,
        tone: 'ok',
      };
    case 'VOID':
      return {
        title: 'Late cancel: the credit will be voided',
        detail: `This is inside the ${windowText}, so the credit is forfeited and the balance does not change.`,
        tone: 'warn',
      };
    default:
      return { title: 'No credit is involved', detail: 'Cancelling this session moves no credits.', tone: 'info' };
  }
}

export interface BulkItem {
  clientId: string;
  ok: boolean;
  client?: { name: string } | null;
  result?: { balance: number; session: { direct: boolean } } | null;
  error?: { __typename?: string; code: string; message: string } | null;
}

/** One line per client after a bulk log: who was logged, and why the others were not. */
export function bulkSummary(items: readonly BulkItem[], names: Record<string, string> = {}) {
  const lines = items.map((item) => {
    const name = item.client?.name ?? names[item.clientId] ?? 'Unknown client';
    if (item.ok) {
      const detail = item.result?.session.direct
        ? 'Logged as a direct session'
        : `Logged · ${item.result?.balance ?? 0} ${item.result?.balance === 1 ? 'credit' : 'credits'} left`;
      return { clientId: item.clientId, name, ok: true, detail };
    }
    return { clientId: item.clientId, name, ok: false, detail: item.error?.message ?? 'Not logged.' };
  });
  const succeeded = lines.filter((l) => l.ok).length;
  const failed = lines.length - succeeded;
  const headline =
    failed === 0
      ? `Logged ${succeeded} ${succeeded === 1 ? 'session' : 'sessions'}.`
      : `Logged ${succeeded} of ${lines.length}; ${failed} not logged.`;
  return { headline, succeeded, failed, lines };
}

/**
 * The note counter: characters as the server counts them (trimmed code points, so "é" is one),
 * against the field's limit from the server's own module (an entry's note unless told).
 */
export function noteCount(
  text: string,
  max: number = ENTRY_NOTE_MAX_LENGTH,
): { length: number; left: number; over: boolean; label: string } {
  const length = [...text.trim()].length;
  return { length, left: max - length, over: length > max, label: `${length}/${max}` };
}
