import { createHash, timingSafeEqual } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MIGRATIONS_DIR } from '../db/migrations.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Metrics } from './metrics.ts';

/** How long one readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ReadinessSources {
  prisma: PrismaClient;
  /** Answers when Redis does (REDIS_URL set); absent without Redis. */
  pingRedis?: () => Promise<unknown>;
  migrationsDir?: string;
}

export type CheckResult = 'ok' | 'not configured' | string;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Migrations in prisma/migrations that the database has not (successfully) applied. */
export async function pendingMigrations(prisma: PrismaClient, migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  const [entries, applied] = await Promise.all([
    readdir(migrationsDir, { withFileTypes: true }),
    prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
  ]);
  const done = new Set(applied.map((row) => row.migration_name));
  return entries.filter((e) => e.isDirectory() && !done.has(e.name)).map((e) => e.name);
}

/** Every check by name: 'ok', 'not configured', or what is wrong. */
export async function readiness(
  sources: ReadinessSources,
): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const database = withTimeout(sources.prisma.$queryRaw`SELECT 1`, 'the database').then(
    () => 'ok',
    (error) => `unreachable: ${message(error)}`,
  );
  const migrations = database.then(async (db) => {
    if (db !== 'ok') return 'unknown (database unreachable)';
    try {
      const pending = await withTimeout(pendingMigrations(sources.prisma, sources.migrationsDir), 'the database');
      return pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
    } catch (error) {
      return `unknown: ${message(error)}`;
    }
  });
  const redis = sources.pingRedis
    ? withTimeout(sources.pingRedis(), 'Redis').then(
        () => 'ok',
        (error) => `unreachable: ${message(error)}`,
      )
    : Promise.resolve('not configured');
  const checks = { database: await database, migrations: await migrations, redis: await redis };
  const ready = Object.values(checks).every((c) => c === 'ok' || c === 'not configured');
  return { ready, checks };
}

/** Compares digests in constant time, so the answer's timing says nothing about the token. */
function sameToken(given: string | undefined, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * GET /healthz: the process is up and serving HTTP (a liveness probe: restart it if not).
 * GET /readyz: it can do its work — database reachable, migrations applied, Redis reachable
 * when configured (a readiness probe: send it traffic only then); 503 says which check failed.
 * GET /metrics: Prometheus text, behind `Authorization: Bearer <METRICS_TOKEN>` when that is set.
 */
export function operationalRoutes(
  sources: ReadinessSources & { metrics: Metrics; metricsToken?: string },
): Record<string, Handler> {
  return {
    '/healthz': (_req, res) => json(res, 200, { status: 'ok' }),
    '/readyz': (_req, res) => {
      void readiness(sources).then(({ ready, checks }) =>
        json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks }),
      );
    },
    '/metrics': (req, res) => {
      if (sources.metricsToken && !sameToken(req.headers.authorization, `Bearer ${sources.metricsToken}`)) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
        return res.end('GET /metrics wants Authorization: Bearer <METRICS_TOKEN>.\n');
      }
      void sources.metrics.scrape().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          res.end(body);
        },
        (error: unknown) => json(res, 500, { error: (error as Error).message }),
      );
    },
  };
}
