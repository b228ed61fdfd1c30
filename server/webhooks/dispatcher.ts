import { createHmac } from 'node:crypto';
import { readEvents, type TeamEvent } from '../events/hub.ts';
import { singleFlight } from '../events/single-flight.ts';
import type { WebhookEndpoint } from '../generated/prisma/client.ts';
import type { LedgerContext } from '../ledger/context.ts';
import type { WebhookEvent } from './endpoints.ts';

const BATCH = 100;
const MAX_BACKOFF_MS = 60 * 60_000;

export interface DispatcherOptions {
  /** How long one POST may take before it counts as failed. */
  timeoutMs?: number;
  /** How often to look for work (retries due, events missed by hints). */
  intervalMs?: number;
}

/** `Punchcard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function eventName(event: TeamEvent): WebhookEvent {
  return event.kind === 'LEDGER_ENTRY' ? event.entry.event : 'SESSION_CHANGED';
}

/** The JSON a receiver gets: ids are the API's global IDs, so it can query for more. */
export function payload(teamId: string, event: TeamEvent) {
  const gid = (type: string, id: string | null) => (id ? Buffer.from(`${type}:${id}`).toString('base64') : null);
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
 * Delivers each team's event log to its webhook endpoints: in sequence order per endpoint,
 * signed, retried with exponential backoff, every attempt in the delivery log. Every instance
 * runs one; an instance delivers to an endpoint only while it holds that endpoint's lease
 * (a conditional update), and the cursor only moves forward from the value it read, so no
 * event is sent twice by two instances.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly timeoutMs: number;
  private readonly intervalMs: number;

  constructor(
    private readonly ctx: LedgerContext,
    options: DispatcherOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.intervalMs = options.intervalMs ?? 2_000;
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

  /** One pass over every endpoint with work due; concurrent calls share one pass plus one more. */
  runOnce(): Promise<void> {
    return this.stopped ? Promise.resolve() : this.pass();
  }

  private pass = singleFlight(async () => {
    try {
      const endpoints = await this.ctx.prisma.webhookEndpoint.findMany({ where: { disabledAt: null } });
      await Promise.all(endpoints.map((endpoint) => this.deliver(endpoint)));
    } catch (error) {
      if (!this.stopped) console.warn(`webhooks: ${(error as Error).message}`);
    }
    return false;
  });

  private async deliver(endpoint: WebhookEndpoint) {
    const { prisma } = this.ctx;
    const now = this.ctx.now();
    const claimed = await prisma.webhookEndpoint.updateMany({
      where: { id: endpoint.id, disabledAt: null, OR: [{ leasedUntil: null }, { leasedUntil: { lt: now } }] },
      data: { leasedUntil: this.leaseEnd() },
    });
    if (claimed.count === 0) return; // another instance is on it
    try {
      let cursor = (await prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).cursor;
      for (;;) {
        const events = await readEvents(prisma, endpoint.teamId, cursor, BATCH);
        for (const event of events) {
          if (endpoint.events.length === 0 || endpoint.events.includes(eventName(event))) {
            await this.renewLease(endpoint.id);
            if (!(await this.send(endpoint, event))) return; // in order: wait for this one
          }
          const moved = await prisma.webhookEndpoint.updateMany({
            where: { id: endpoint.id, cursor },
            data: { cursor: event.sequence },
          });
          if (moved.count === 0) return; // replayed meanwhile: start over next pass
          cursor = event.sequence;
        }
        if (events.length < BATCH) return;
      }
    } finally {
      await prisma.webhookEndpoint.updateMany({ where: { id: endpoint.id }, data: { leasedUntil: null } });
    }
  }

  /** Long enough for any one attempt; renewed before each, so a slow pass keeps its endpoint. */
  private leaseEnd() {
    return new Date(this.ctx.now().getTime() + 3 * this.timeoutMs);
  }

  private async renewLease(endpointId: string) {
    await this.ctx.prisma.webhookEndpoint.update({ where: { id: endpointId }, data: { leasedUntil: this.leaseEnd() } });
  }

  /**
   * One attempt (if due); true when the receiver accepted the event. Delivery is at least
   * once: a crash between the receiver's 2xx and recording it sends that event again, so
   * receivers dedupe on the Punchcard-Event-Id header.
   */
  private async send(endpoint: WebhookEndpoint, event: TeamEvent): Promise<boolean> {
    const { prisma } = this.ctx;
    const now = this.ctx.now();
    const key = { endpointId_sequence: { endpointId: endpoint.id, sequence: event.sequence } };
    const delivery = await prisma.webhookDelivery.upsert({
      where: key,
      create: { endpointId: endpoint.id, sequence: event.sequence, createdAt: now, nextAttemptAt: now },
      update: {},
    });
    if (delivery.status === 'DELIVERED') return true;
    if (delivery.nextAttemptAt > now) return false;

    const body = JSON.stringify(payload(endpoint.teamId, event));
    const timestamp = Math.floor(now.getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Punchcard-Webhooks/1',
          'punchcard-event-id': `${endpoint.teamId}:${event.sequence}`,
          'punchcard-signature': sign(endpoint.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : (e as Error).message;
    }
    const attempts = delivery.attempts + 1;
    await prisma.webhookDelivery.update({
      where: key,
      data: error
        ? {
            attempts,
            responseStatus: status,
            lastError: error.slice(0, 500),
            status: 'FAILED',
            nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)),
          }
        : { attempts, responseStatus: status, lastError: null, status: 'DELIVERED', deliveredAt: now },
    });
    return error === null;
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.timer = this.kickTimer = null;
    await this.pass.idle();
  }
}

/** 2 s, 4 s, 8 s … capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** attempts, MAX_BACKOFF_MS);
}
