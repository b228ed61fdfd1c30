// The limits the web app shows as the server enforces them: one module, imported by server/ledger
// (which enforces them) and by the web app (counters, choices), so the two cannot drift apart.
// Plain values and no imports: the web app bundles this file.

/**
 * A ledger entry's `note` (issue, remove, cancel, package…): a remark on one line of a balance
 * history ("gift from the owner", "refund #1234"), shown in the history's column.
 */
export const ENTRY_NOTE_MAX_LENGTH = 500;

/**
 * A session's `notes` (log, book, bulk log): what happened in the session — exercises, how it
 * went — so room for a few paragraphs. 2,000 is what the API always accepted, so no stored
 * session note becomes too long to save again.
 */
export const SESSION_NOTES_MAX_LENGTH = 2_000;

/** The statuses a session can be logged with (BOOKED is bookSession's). */
export const LOGGABLE_STATUSES = ['COMPLETED', 'NO_SHOW', 'LATE_CANCELLED', 'CANCELLED'] as const;
