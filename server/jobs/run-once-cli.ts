// npm run jobs:run-once → tsx server/jobs/run-once-cli.ts
//
// Runs every background job once against the configured database (DATABASE_URL, or PGlite in
// DATA_DIR) and mail relay (SMTP_URL), for operators: after downtime, or to check a setup. Safe
// while servers run on the same PostgreSQL, since every job claims its work in the database.
// The embedded PGlite database is one process's files: stop the server before running this on it.

import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase, redactUrl } from '../db/index.ts';
import { mailTransportFromConfig } from '../mail/transport.ts';
import { createLogger } from '../observability/log.ts';
import { createJobRunner } from './runner.ts';

async function main(): Promise<number> {
  const config = loadConfig();
  // The log goes to stderr: stdout is the report, for scripts to read.
  const log = createLogger({ level: config.logLevel, format: config.logFormat, destination: 2 });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2, log });
  const runner = createJobRunner({
    ledger: { prisma: database.prisma, now: () => new Date() },
    transport: mailTransportFromConfig(config, log),
    intervalMs: config.jobsIntervalMs,
    log,
  });
  try {
    const target = config.databaseUrl ? redactUrl(config.databaseUrl) : `PGlite at ${config.dataDir}`;
    const mail = config.smtpUrl ? `SMTP ${redactUrl(config.smtpUrl)}` : 'in-app notifications only (no SMTP_URL)';
    console.log(`Running background jobs once on ${target}, mail via ${mail}.`);
    const report = await runner.runOnce();
    console.log(JSON.stringify(report, null, 2));
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await runner.stop();
    await database.close();
  }
}

// Exit explicitly once everything is closed: the migration engine (wasm) that opening the
// database runs leaves a ~10 s timer behind that would otherwise hold the process open.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError
        ? `Configuration error: ${error.message}`
        : `Jobs failed: ${(error as Error).message}`,
    );
    process.exit(1);
  },
);
