import type { LedgerContext } from '../ledger/context.ts';
import { type DeliveryOptions, type DeliveryReport, deliverOutbox } from '../mail/sender.ts';
import type { MailTransport } from '../mail/transport.ts';
import type { Logger } from '../observability/log.ts';
import type { Metrics } from '../observability/metrics.ts';
import { queueExpiryAlerts, queueLowCreditAlerts } from './alerts.ts';
import { expireDuePackages } from './expiry.ts';

/**
 * The background jobs of one server instance. Every instance runs its own runner on a timer;
 * nothing here is coordinated in memory, because every job claims its work in the database
 * (team row lock + `expiredAt IS NULL` for expiry, unique outbox keys for alerts, a
 * compare-and-set claim per outbox row for sending). With N instances the work is looked at N
 * times per interval and done once.
 */

export interface JobReport {
  /** Packages that got their EXPIRED entry in this run. */
  expired: number;
  /** Alerts this run queued (a peer may have queued others). */
  expiryAlerts: number;
  lowCreditAlerts: number;
  mail: DeliveryReport;
  /** Jobs that failed in this run (each is retried by the next run; later jobs still ran). */
  errors: { job: string; message: string }[];
}

export interface JobRunner {
  readonly transport: MailTransport;
  /** Runs every job once, in order. Calls in one process queue behind each other. */
  runOnce(): Promise<JobReport>;
  /** Starts the timer: a run every `intervalMs`, the first one `intervalMs` after start. */
  start(): void;
  /** Stops the timer, waits for a run in progress, closes the mail transport. */
  stop(): Promise<void>;
}

export interface JobRunnerOptions {
  /** The instance's ledger context: its `now()` is the jobs' clock, so tests move time by hand. */
  ledger: LedgerContext;
  transport: MailTransport;
  intervalMs: number;
  log: Logger;
  /** Where job runs are counted (GET /metrics); absent in the CLI and in unit tests. */
  metrics?: Pick<Metrics, 'jobRuns' | 'jobSeconds'>;
  /** Tuning of the outbox sender (tests shorten the stale window). */
  mail?: Pick<DeliveryOptions, 'staleAfterMs' | 'maxAttempts' | 'batchSize'>;
}

export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const { ledger, transport, log } = opts;
  let queue: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  let started = false;

  async function runAll(): Promise<JobReport> {
    const report: JobReport = {
      expired: 0,
      expiryAlerts: 0,
      lowCreditAlerts: 0,
      mail: { sent: 0, failed: 0, retrying: 0 },
      errors: [],
    };
    const step = async (job: string, fn: () => Promise<void>) => {
      const started = performance.now();
      let outcome: 'ok' | 'error' = 'ok';
      try {
        await fn();
      } catch (error) {
        outcome = 'error';
        const message = error instanceof Error ? error.message : String(error);
        report.errors.push({ job, message });
        log.error({ err: error, job }, `Job ${job} failed (the next run retries): ${message}`);
      }
      opts.metrics?.jobRuns.inc({ job, outcome });
      opts.metrics?.jobSeconds.observe({ job }, (performance.now() - started) / 1000);
    };
    // Expiry first, so a package that lapsed since the last run is not alerted about, and the
    // running-low job sees its EXPIRED entry. Sending last, so this run's alerts go out now.
    await step('expire-packages', async () => {
      report.expired = await expireDuePackages(ledger, log);
    });
    await step('expiry-alerts', async () => {
      report.expiryAlerts = await queueExpiryAlerts(ledger);
    });
    await step('low-credit-alerts', async () => {
      report.lowCreditAlerts = await queueLowCreditAlerts(ledger);
    });
    await step('send-mail', async () => {
      report.mail = await deliverOutbox(ledger.prisma, transport, { ...opts.mail, now: () => ledger.now(), log });
    });
    const { expired, expiryAlerts, lowCreditAlerts, mail } = report;
    if (expired + expiryAlerts + lowCreditAlerts + mail.sent + mail.failed + mail.retrying > 0) {
      log.info(
        { expired, expiryAlerts, lowCreditAlerts, mail },
        `Jobs: ${expired} package(s) expired, ${expiryAlerts} expiry and ${lowCreditAlerts} running-low alert(s) queued, ` +
          `mail ${mail.sent} sent / ${mail.retrying} to retry / ${mail.failed} failed.`,
      );
    }
    return report;
  }

  function runOnce(): Promise<JobReport> {
    inFlight++;
    const run = queue.then(runAll).finally(() => {
      inFlight--;
    });
    queue = run.catch(() => {});
    return run;
  }

  function schedule() {
    timer = setTimeout(async () => {
      timer = null;
      // A run longer than the interval makes the next tick wait, not pile up.
      if (inFlight === 0) await runOnce();
      if (started) schedule();
    }, opts.intervalMs);
    // The timer alone must not keep a process (a CLI, a test) alive.
    timer.unref();
  }

  return {
    transport,
    runOnce,
    start() {
      if (started) return;
      started = true;
      schedule();
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await queue;
      await transport.close();
    },
  };
}
