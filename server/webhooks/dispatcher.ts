import { readEvents, type TeamEvent } from '../events/hub.ts';
import { singleFlight } from '../events/single-flight.ts';
import type { PrismaClient, WebhookDelivery, WebhookEndpoint } from '../generated/prisma/client.ts';
import { globalId } from '../global-id.ts';
import type { LedgerContext } from '../ledger/context.ts';
import { type Logger, silentLogger } from '../observability/log.ts';
import type { WebhookEvent } from './endpoints.ts';
import { type Attempt, sign, transportOf, type WebhookTransport } from './transport.ts';

/** Events one endpoint gets per turn before the next waiting endpoint has its go. */
const BATCH = 100;
/** A failing delivery is retried until this long after its first failed attempt, then given up. */
export const RETRY_WINDOW_MS = 72 * 3_600_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_DELAY_MS = 6 * 3_600_000;

export interface DispatcherOptions {
  /** How often to look for work (retries due, events missed by hints). */
  intervalMs?: number;
  /** Endpoints delivered to at the same time by this instance. */
  concurrency?: number;
  /** Where a pass that could not run (e.g. the database away) is reported. */
  log?: Logger;
}

/**
 * Time from a failed attempt to the next: 5 s, 20 s, 80 s, 5⅓ min, 21 min, 85 min, 5.7 h, then
 * every 6 h — about 17 attempts before the 72-hour window closes.
 */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 4 ** Math.max(attempts - 1, 0), MAX_RETRY_DELAY_MS);
}

function eventName(event: TeamEvent): WebhookEvent {
  return event.kind === 'LEDGER_ENTRY' ? event.entry.event : 'SESSION_CHANGED';
}

/** The JSON a receiver gets: ids are the API's global IDs, so it can query for more. */
export function payload(teamId: string, event: TeamEvent) {
  const gid = (type: string, id: string | null) => (id ? globalId(type, id) : null);
  const base = {
    id: `${teamId}:${event.sequence}`,
    sequence: event.sequence,
    createdAt: event.createdAt.toISOString(),
    clientId: gid('Client', event.clientId),
  };
  if (event.kind === 'LEDGER_ENTRY') {
    const e = event.entry;
    return {
      ...base,
      type: `ledger.${e.event.toLowerCase()}`,
      data: {
        entryId: gid('LedgerEntry', e.id),
        event: e.event,
        amount: e.event === 'VOIDED' ? null : e.amount,
        balanceAfter: e.balanceAfter,
        packageId: gid('Package', e.packageId),
        sessionId: gid('Session', e.sessionId),
        sessionTypeId: gid('SessionType', e.sessionTypeId),
      },
    };
  }
  const s = event.sessionEvent;
  return {
    ...base,
    type: `session.${s.change.toLowerCase()}`,
    data: { sessionId: gid('Session', s.sessionId), change: s.change, status: s.status },
  };
}

/**
 * The POST for one event, per Standard Webhooks: `webhook-id` stays the same on every attempt
 * (receivers dedupe on it); `webhook-timestamp` is the wall clock at sending, which receivers
 * compare with their own clock (not the ledger's injectable one).
 */
function request(endpoint: WebhookEndpoint, event: TeamEvent) {
  const body = JSON.stringify(payload(endpoint.teamId, event));
  const id = `${endpoint.teamId}:${event.sequence}`;
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Punchcard-Webhooks/1',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(endpoint.secret, id, timestamp, body),
    },
  };
}

/** The request for an event already in the delivery log (a redelivery by hand). */
export async function deliveryRequest(prisma: PrismaClient, endpoint: WebhookEndpoint, sequence: number) {
  const [event] = await readEvents(prisma, endpoint.teamId, sequence - 1, 1);
  if (event?.sequence !== sequence) throw new Error(`event ${sequence} of team ${endpoint.teamId} is missing`);
  return request(endpoint, event);
}

/**
 * A redelivery by hand is one more attempt in the delivery's log. Success makes it DELIVERED
 * (the endpoint's queue moves on if it was waiting on it); a failure changes only the log: a
 * delivery waiting for its retry keeps its schedule, a delivered one stays delivered.
 */
export async function recordManualAttempt(ctx: LedgerContext, delivery: WebhookDelivery, attempt: Attempt) {
  await ctx.prisma.webhookDelivery.update({
    where: { id: delivery.id },
    data: {
      attempts: { increment: 1 },
      responseStatus: attempt.status,
      lastError: attempt.error?.slice(0, 500) ?? null,
      ...(attempt.error === null ? { status: 'DELIVERED', deliveredAt: ctx.now(), failingSince: null } : {}),
    },
  });
}

type Outcome = 'DELIVERED' | 'WAIT' | 'GIVEN_UP';

/** At most `size` endpoints are delivered to at once; the others wait in arrival order. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Delivers each team's event log to its webhook endpoints: in sequence order per endpoint,
 * signed, retried with exponential backoff, every attempt in the delivery log. Each endpoint
 * has its own worker, so a slow or failing receiver holds back only its own queue (at most
 * `concurrency` endpoints are sent to at once, each turn at most BATCH events, each POST at
 * most the transport's timeout). Every instance runs one; an instance delivers to an endpoint
 * only while it holds that endpoint's lease (a conditional update), and the cursor only moves
 * forward from the value it read, so no event is sent twice by two instances.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Aborts the POSTs in flight when the instance stops (they are retried later, by any instance). */
  private readonly stopping = new AbortController();
  private readonly intervalMs: number;
  private readonly transport: WebhookTransport;
  private readonly slots: Slots;
  private readonly log: Logger;
  private readonly workers = new Map<string, { run: ReturnType<typeof singleFlight>; callers: number }>();

  constructor(
    private readonly ctx: LedgerContext,
    options: DispatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.transport = transportOf(ctx);
    this.slots = new Slots(options.concurrency ?? 16);
    this.log = options.log ?? silentLogger;
  }

  start() {
    const tick = () => {
      void this.runOnce();
      this.timer = setTimeout(tick, this.intervalMs);
    };
    this.timer = setTimeout(tick, this.intervalMs);
  }

  /** A hint that a team has new events: deliver soon rather than at the next tick (bursts coalesce). */
  kick() {
    if (this.stopped) return;
    this.kickTimer ??= setTimeout(() => {
      this.kickTimer = null;
      void this.runOnce();
    }, 50);
  }

  /**
   * Starts (or asks for one more turn of) the worker of every endpoint with work due, and
   * resolves when those turns are done. Endpoints whose next retry is not due are left alone.
   */
  async runOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      const now = this.ctx.now();
      const endpoints = await this.ctx.prisma.webhookEndpoint.findMany({
        where: { disabledAt: null, deliveries: { none: { status: 'RETRYING', nextAttemptAt: { gt: now } } } },
        select: { id: true, cursor: true, team: { select: { lastSequence: true } } },
      });
      const due = endpoints.filter((e) => e.cursor < e.team.lastSequence);
      await Promise.all(due.map((e) => this.worker(e.id)));
    } catch (error) {
      if (!this.stopped) this.log.warn({ err: error }, `webhooks: ${(error as Error).message}`);
    }
  }

  /** This endpoint's turn (or one more after the running one); workers live only while called for. */
  private worker(endpointId: string): Promise<void> {
    let entry = this.workers.get(endpointId);
    if (!entry) {
      const turn = async () => {
        try {
          return await this.slots.use(() => this.deliver(endpointId));
        } catch (error) {
          if (!this.stopped) {
            this.log.warn({ err: error, endpointId }, `webhooks: endpoint ${endpointId}: ${(error as Error).message}`);
          }
          return false;
        }
      };
      entry = { run: singleFlight(turn), callers: 0 };
      this.workers.set(endpointId, entry);
    }
    const worker = entry;
    worker.callers++;
    return worker.run().finally(() => {
      if (--worker.callers === 0) this.workers.delete(endpointId);
    });
  }

  /** One turn: up to BATCH events in order; true when more are waiting (another turn, after the others). */
  private async deliver(endpointId: string): Promise<boolean> {
    if (this.stopped) return false;
    const { prisma } = this.ctx;
    const claimed = await prisma.webhookEndpoint.updateMany({
      where: {
        id: endpointId,
        disabledAt: null,
        OR: [{ leasedUntil: null }, { leasedUntil: { lt: this.ctx.now() } }],
      },
      data: { leasedUntil: this.leaseEnd() },
    });
    if (claimed.count === 0) return false; // another instance is on it, or it was disabled
    try {
      const endpoint = await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } });
      let cursor = endpoint.cursor;
      const events = await readEvents(prisma, endpoint.teamId, cursor, BATCH);
      for (const event of events) {
        if (this.stopped) return false;
        let outcome: Outcome = 'DELIVERED'; // an event the endpoint did not ask for is passed over
        if (endpoint.events.length === 0 || endpoint.events.includes(eventName(event))) {
          await this.renewLease(endpoint.id);
          outcome = await this.send(endpoint, event);
          if (outcome === 'WAIT') return false; // in order: wait for this one
        }
        const moved = await prisma.webhookEndpoint.updateMany({
          where: { id: endpoint.id, cursor },
          // Given up: the receiver has been failing for the whole window; its owner looks, then
          // enables it again (deliveries resume after the given-up event, which can be redelivered).
          data: { cursor: event.sequence, ...(outcome === 'GIVEN_UP' ? { disabledAt: this.ctx.now() } : {}) },
        });
        if (moved.count === 0 || outcome === 'GIVEN_UP') return false; // replayed meanwhile: start over next pass
        cursor = event.sequence;
      }
      return events.length === BATCH;
    } finally {
      await prisma.webhookEndpoint.updateMany({ where: { id: endpointId }, data: { leasedUntil: null } });
    }
  }

  /** Long enough for any one attempt; renewed before each, so a slow turn keeps its endpoint. */
  private leaseEnd() {
    return new Date(this.ctx.now().getTime() + 3 * this.transport.timeoutMs);
  }

  private async renewLease(endpointId: string) {
    await this.ctx.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { leasedUntil: this.leaseEnd() } });
  }

  /**
   * One attempt (if due): DELIVERED when the receiver accepted the event, WAIT while it is to be
   * retried, GIVEN_UP when it still failed at the end of the retry window. Delivery is at least
   * once: a crash between the receiver's 2xx and recording it sends that event again, so
   * receivers dedupe on `webhook-id`.
   */
  private async send(endpoint: WebhookEndpoint, event: TeamEvent): Promise<Outcome> {
    const { prisma } = this.ctx;
    const now = this.ctx.now();
    const key = { endpointId_sequence: { endpointId: endpoint.id, sequence: event.sequence } };
    const delivery = await prisma.webhookDelivery.upsert({
      where: key,
      create: { endpointId: endpoint.id, sequence: event.sequence, createdAt: now, nextAttemptAt: now },
      update: {},
    });
    if (delivery.status === 'DELIVERED') return 'DELIVERED';
    if (delivery.nextAttemptAt > now) return 'WAIT';

    const { headers, body } = request(endpoint, event);
    const { status, error } = await this.transport.post(endpoint.url, headers, body, this.stopping.signal);
    const attempts = delivery.attempts + 1;
    const failingSince = delivery.failingSince ?? now;
    const givenUp = error !== null && now.getTime() >= failingSince.getTime() + RETRY_WINDOW_MS;
    await prisma.webhookDelivery.update({
      where: key,
      data: error
        ? {
            attempts,
            responseStatus: status,
            lastError: error.slice(0, 500),
            failingSince,
            status: givenUp ? 'FAILED' : 'RETRYING',
            nextAttemptAt: givenUp ? now : new Date(now.getTime() + retryDelayMs(attempts)),
          }
        : {
            attempts,
            responseStatus: status,
            lastError: null,
            failingSince: null,
            status: 'DELIVERED',
            deliveredAt: now,
          },
    });
    return error === null ? 'DELIVERED' : givenUp ? 'GIVEN_UP' : 'WAIT';
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.timer = this.kickTimer = null;
    this.stopping.abort();
    await Promise.all([...this.workers.values()].map((worker) => worker.run.idle()));
  }
}
