import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { DeliveryStatus, MailStatus } from '../generated/prisma/enums.ts';
import type { Logger } from './log.ts';

/**
 * What GET /metrics serves, in Prometheus' text format. Counters and histograms are counted as
 * things happen in this instance; the outbox and webhook figures are read from the database at
 * scrape time (every instance reports the same shared numbers: aggregate them with max, not
 * sum), so they are true even for work another instance did.
 */

// Node's own figures (CPU, memory, event-loop delay, GC) exist once per process, however many
// apps a process builds (tests build many), so they live in one registry merged into each scrape.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

// Only the unfinished rows are counted: SENT mail and DELIVERED webhooks only ever grow.
const MAIL_STATUSES = Object.values(MailStatus).filter((s) => s !== MailStatus.SENT);
const DELIVERY_STATUSES = Object.values(DeliveryStatus).filter((s) => s !== DeliveryStatus.DELIVERED);

export interface MetricsSources {
  prisma: PrismaClient;
  /** The PostgreSQL pool (absent on the embedded database: one connection, no pool). */
  pool?: pg.Pool;
  log: Logger;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly registers = [this.registry];

  readonly operations = new Counter({
    name: 'punchcard_graphql_operations_total',
    help: 'GraphQL operations by operation (type.firstRootField) and outcome (ok, refused, error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: this.registers,
  });
  readonly operationSeconds = new Histogram({
    name: 'punchcard_graphql_operation_duration_seconds',
    help: 'Time from request to response (subscriptions: to their first response) by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: this.registers,
  });
  readonly ledgerEntries = new Counter({
    name: 'punchcard_ledger_entries_written_total',
    help: 'Ledger entries committed by this instance, by event.',
    labelNames: ['event'] as const,
    registers: this.registers,
  });
  readonly subscriptions = new Gauge({
    name: 'punchcard_subscriptions_open',
    help: 'Open GraphQL subscriptions on this instance, by transport (ws = graphql-ws, sse = server-sent events).',
    labelNames: ['transport'] as const,
    registers: this.registers,
  });
  readonly hubLag = new Histogram({
    name: 'punchcard_event_hub_lag_seconds',
    help: "Time from an event's commit to this instance's event hub reading it for its live subscribers.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: this.registers,
  });
  readonly jobRuns = new Counter({
    name: 'punchcard_job_runs_total',
    help: 'Background job runs on this instance, by job and outcome (ok, error).',
    labelNames: ['job', 'outcome'] as const,
    registers: this.registers,
  });
  readonly jobSeconds = new Histogram({
    name: 'punchcard_job_duration_seconds',
    help: 'Duration of one background job run, by job.',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120],
    registers: this.registers,
  });
  private readonly mailOutbox = new Gauge({
    name: 'punchcard_mail_outbox',
    help: 'Mail outbox rows not sent, by status (PENDING: queued or waiting to retry, SENDING: claimed, FAILED: given up). Shared by all instances.',
    labelNames: ['status'] as const,
    registers: this.registers,
  });
  private readonly webhookDeliveries = new Gauge({
    name: 'punchcard_webhook_deliveries',
    help: 'Webhook deliveries not delivered, by status (what each status means: server/webhooks). Shared by all instances.',
    labelNames: ['status'] as const,
    registers: this.registers,
  });
  private readonly webhookBacklog = new Gauge({
    name: 'punchcard_webhook_backlog_events',
    help: 'Team events committed but not yet delivered (or skipped) by the enabled webhook endpoints, summed over endpoints. Shared by all instances.',
    registers: this.registers,
  });
  private readonly poolConnections = new Gauge({
    name: 'punchcard_db_pool_connections',
    help: 'PostgreSQL pool of this instance: connections open (total), idle, and requests waiting for one (waiting).',
    labelNames: ['state'] as const,
    registers: this.registers,
  });
  private readonly poolMax = new Gauge({
    name: 'punchcard_db_pool_max',
    help: 'PostgreSQL pool size of this instance (DB_POOL_SIZE).',
    registers: this.registers,
  });
  private readonly databaseUp = new Gauge({
    name: 'punchcard_metrics_database_up',
    help: '1 when this scrape could read the database figures (outbox, webhooks), 0 when it could not.',
    registers: this.registers,
  });

  constructor(private readonly sources: MetricsSources) {}

  /** The Prometheus text of everything above plus the process metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    await this.readDatabase();
    const { pool } = this.sources;
    if (pool) {
      this.poolConnections.set({ state: 'total' }, pool.totalCount);
      this.poolConnections.set({ state: 'idle' }, pool.idleCount);
      this.poolConnections.set({ state: 'waiting' }, pool.waitingCount);
      this.poolMax.set(pool.options.max ?? 10);
    }
    const merged = Registry.merge([processMetrics(), this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  private async readDatabase() {
    const { prisma } = this.sources;
    try {
      const [mail, deliveries, backlog] = await Promise.all([
        prisma.mailOutbox.groupBy({ by: ['status'], where: { status: { not: 'SENT' } }, _count: true }),
        prisma.webhookDelivery.groupBy({ by: ['status'], where: { status: { not: 'DELIVERED' } }, _count: true }),
        prisma.$queryRaw<{ events: number }[]>`
          SELECT coalesce(sum(t."lastSequence" - e."cursor"), 0)::int AS events
            FROM "WebhookEndpoint" e JOIN "Team" t ON t."id" = e."teamId"
           WHERE e."disabledAt" IS NULL`,
      ]);
      for (const status of MAIL_STATUSES) {
        this.mailOutbox.set({ status }, mail.find((row) => row.status === status)?._count ?? 0);
      }
      for (const status of DELIVERY_STATUSES) {
        this.webhookDeliveries.set({ status }, deliveries.find((row) => row.status === status)?._count ?? 0);
      }
      this.webhookBacklog.set(backlog[0]?.events ?? 0);
      this.databaseUp.set(1);
    } catch (error) {
      // The scrape still answers (process and request figures stay useful during an outage);
      // the database figures keep their last values, and punchcard_metrics_database_up says so.
      this.databaseUp.set(0);
      this.sources.log.warn({ err: error }, 'metrics: could not read the database figures');
    }
  }
}
