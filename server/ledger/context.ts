import type { Limits } from '../auth/rate-limit.ts';
import type { LedgerEvent, PrismaClient } from '../generated/prisma/client.ts';
import type { WebhookTransport } from '../webhooks/transport.ts';

/**
 * What the ledger needs from the outside world. `now` is injected so expiry, cancellation
 * windows and bookings can be tested without waiting; `teamChanged` is the hook the event
 * layer uses to tell subscribers "team T has new entries" after a commit.
 */
export interface LedgerContext {
  prisma: PrismaClient;
  now(): Date;
  teamChanged?(teamId: string): void;
  /** Called after a commit with the events of the ledger entries it appended (for metrics). */
  entriesWritten?(events: LedgerEvent[]): void;
  /** Called after a logout or membership change, so live subscriptions re-check access. */
  accessChanged?(teamId: string): void;
  /** Request budgets (login attempts); absent in unit tests of the rules. */
  limits?: Limits;
  /** How webhooks reach receivers (address policy, timeout); absent: public addresses only. */
  webhookTransport?: WebhookTransport;
}
