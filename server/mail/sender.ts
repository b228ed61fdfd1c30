import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../observability/log.ts';
import { type MailTransport, PermanentMailError, SMTP_SEND_DEADLINE_MS } from './transport.ts';

/**
 * Delivers the outbox. Any number of senders (instances, or runners in one process) may run at
 * once: a row is claimed by a compare-and-set UPDATE on (id, status, attempts) that moves it to
 * SENDING, so exactly one sender gets each claim, and only the holder of the current claim may
 * mark the row SENT or put it back.
 *
 * Delivery is at-least-once, and the window for a duplicate is this narrow: the relay accepted
 * the message, and then this process died (or lost the database) before the single UPDATE that
 * marks the row SENT. The row stays SENDING; once its claim is older than `staleAfterMs`, another
 * sender takes it again and resends. Nothing runs between the relay's "250 OK" and that UPDATE,
 * so the window is one database round trip. Every copy carries the same Message-ID (the outbox
 * id), which lets mail clients fold a duplicate. The opposite failure cannot happen: a row is
 * never marked SENT before the relay accepted it, so no alert is lost.
 *
 * The stale window must exceed the longest a send can take (the SMTP deadline), or a slow send
 * would be taken for a dead one.
 */

export interface DeliveryOptions {
  now(): Date;
  log: Logger;
  /** A SENDING claim older than this is taken to be from a crashed sender, and retried. */
  staleAfterMs?: number;
  /** How many attempts before a row is given up as FAILED. */
  maxAttempts?: number;
  /** Rows looked at per call. */
  batchSize?: number;
}

export interface DeliveryReport {
  sent: number;
  /** Given up (permanent refusal or too many attempts): status FAILED with lastError. */
  failed: number;
  /** Failed this time and back to PENDING for a later run. */
  retrying: number;
}

export const STALE_CLAIM_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 8;

/** Wait before retry n (after n failed attempts): 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export async function deliverOutbox(
  prisma: PrismaClient,
  transport: MailTransport,
  opts: DeliveryOptions,
): Promise<DeliveryReport> {
  const staleAfterMs = opts.staleAfterMs ?? STALE_CLAIM_MS;
  if (staleAfterMs <= SMTP_SEND_DEADLINE_MS) throw new Error('staleAfterMs must exceed the SMTP send deadline.');
  const maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
  const report: DeliveryReport = { sent: 0, failed: 0, retrying: 0 };
  const now = opts.now();
  const candidates = await prisma.mailOutbox.findMany({
    where: {
      OR: [{ status: 'PENDING' }, { status: 'SENDING', claimedAt: { lt: new Date(now.getTime() - staleAfterMs) } }],
    },
    // Never-tried mail first, so rows waiting out a retry delay cannot crowd out new alerts.
    orderBy: [{ claimedAt: { sort: 'asc', nulls: 'first' } }, { createdAt: 'asc' }, { id: 'asc' }],
    take: opts.batchSize ?? 100,
  });

  for (const row of candidates) {
    // A failed row waits (claimedAt = its last attempt) before the next try.
    if (row.status === 'PENDING' && row.attempts > 0 && row.claimedAt) {
      if (now.getTime() < row.claimedAt.getTime() + retryDelayMs(row.attempts)) continue;
    }
    const attempt = row.attempts + 1;
    const claim = { id: row.id, status: row.status, attempts: row.attempts };
    if (row.status === 'SENDING' && row.attempts >= maxAttempts) {
      const gaveUp = await prisma.mailOutbox.updateMany({
        where: claim,
        data: { status: 'FAILED', lastError: `Gave up after ${row.attempts} attempts (the last one never finished).` },
      });
      report.failed += gaveUp.count;
      continue;
    }
    const claimed = await prisma.mailOutbox.updateMany({
      where: claim,
      data: { status: 'SENDING', claimedAt: opts.now(), attempts: attempt },
    });
    if (claimed.count !== 1) continue; // another sender holds it now
    if (row.status === 'SENDING') {
      opts.log.warn(
        { mailId: row.id, dedupeKey: row.dedupeKey },
        `Mail ${row.id}: a claim went stale; sending again (it may arrive twice).`,
      );
    }
    const mine = { id: row.id, status: 'SENDING' as const, attempts: attempt };

    let error: unknown = null;
    try {
      if (row.to.length === 0) throw new PermanentMailError('The mail has no recipients.');
      await transport.send(row);
    } catch (caught) {
      error = caught;
    }
    if (error === null) {
      // Immediately after the relay's acceptance: this UPDATE is the whole duplicate window.
      const done = await prisma.mailOutbox.updateMany({
        where: mine,
        data: { status: 'SENT', sentAt: opts.now(), lastError: null },
      });
      if (done.count === 1) report.sent++;
      else
        opts.log.warn(
          { mailId: row.id, dedupeKey: row.dedupeKey },
          `Mail ${row.id} was re-claimed while being sent; it may arrive twice.`,
        );
      continue;
    }
    const message = error instanceof Error ? error.message : String(error);
    const giveUp = error instanceof PermanentMailError || attempt >= maxAttempts;
    const put = await prisma.mailOutbox.updateMany({
      where: mine,
      data: { status: giveUp ? 'FAILED' : 'PENDING', lastError: message.slice(0, 1000) },
    });
    if (put.count === 1) {
      if (giveUp) report.failed++;
      else report.retrying++;
    }
    // The relay's refusal, not a bug of ours: its message says all, a stack would not.
    opts.log[giveUp ? 'error' : 'warn'](
      { mailId: row.id, dedupeKey: row.dedupeKey, attempt, reason: message },
      `Mail ${row.id} attempt ${attempt} failed${giveUp ? ', giving up' : ', will retry'}: ${message}`,
    );
  }
  return report;
}
