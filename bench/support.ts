import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { globalId } from '../schema/ids.ts';
import { signUp } from '../server/auth/team.ts';
import { type Database, openDatabase } from '../server/db/index.ts';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import type { Actor } from '../server/ledger/actor.ts';
import { createClient, createSessionType } from '../server/ledger/catalog.ts';
import type { LedgerContext } from '../server/ledger/context.ts';
import { createPackage } from '../server/ledger/packages.ts';
import { percentiles, round } from './report.ts';

/** Shared plumbing of the benchmarks: databases, an in-process server, seeding, and load in a worker. */

export type BackendName = 'pglite' | 'postgres';

export interface Backend {
  name: BackendName;
  /** What the tables say, e.g. "PGlite (disk)". */
  label: string;
  db: Database;
  /** PostgreSQL only: this run's own database, for a second pool of bare connections. */
  url?: string;
  close(): Promise<void>;
}

/**
 * A fresh, migrated database of its own. PGlite lives on disk in a temporary directory, as
 * `npm start` runs it; PostgreSQL gets a pc_test_<random> database (TEST_DATABASE_URL), or a
 * printed reason why not.
 */
export async function openBackend(name: BackendName): Promise<Backend | { skipped: string }> {
  if (name === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-bench-'));
    const db = await openDatabase({ dataDir: dir });
    return {
      name,
      label: 'PGlite (disk)',
      db,
      async close() {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  try {
    const pg = await createPostgresTestDatabase();
    if (!pg) return { skipped: 'PostgreSQL unreachable at TEST_DATABASE_URL / 127.0.0.1:5432' };
    return { name, label: 'PostgreSQL', db: pg, url: pg.url, close: () => pg.drop() };
  } catch (error) {
    return { skipped: `PostgreSQL: ${(error as Error).message}` };
  }
}

export function backendList(flag: string): BackendName[] {
  const names = flag.split(',').map((s) => s.trim());
  for (const n of names) if (n !== 'pglite' && n !== 'postgres') throw new Error(`unknown backend "${n}"`);
  return names as BackendName[];
}

export { startInProcess as startServer } from '../test/support/in-process.ts';

export interface Studio {
  token: string;
  actor: Actor;
  sessionTypeId: string;
}

let studios = 0;

/** A team with its owner's login and one credit-requiring session type. */
export async function seedStudio(ledger: LedgerContext, name = `Bench studio ${++studios}`): Promise<Studio> {
  const login = await signUp(ledger, {
    teamName: name,
    name: 'Bench owner',
    email: `bench-${process.pid}-${Date.now()}-${++studios}@example.com`,
    password: 'bench-password',
  });
  const member = await ledger.prisma.member.findUniqueOrThrow({ where: { id: login.memberId } });
  const actor: Actor = {
    kind: 'MEMBER',
    teamId: member.teamId,
    memberId: member.id,
    userId: member.userId,
    role: 'OWNER',
  };
  const type = await createSessionType(ledger, actor, { name: '1-on-1', requiresCredits: true });
  return { token: login.token, actor, sessionTypeId: type.id };
}

/** A package client with one package of `credits`; raw row IDs. */
export async function seedClient(ledger: LedgerContext, studio: Studio, credits: number, name = 'Client') {
  const client = await createClient(ledger, studio.actor, { name });
  const pkg = await createPackage(ledger, studio.actor, { clientId: client.id, name: 'Pack', credits });
  return { clientId: client.id, packageId: pkg.packageId };
}

export const gid = globalId;

/** Starts a TypeScript worker (workers begin as plain JS: tsx's API registers the loader first). */
export function startWorker(file: URL, workerData: unknown): Worker {
  const entry = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(entry, { eval: true, workerData });
}

export interface LoadResult {
  elapsedMs: number;
  /** Latency in ms of every request, by operation. */
  latencies: Record<string, number[]>;
  /** How requests ended, by operation: a result __typename, "ok", "error: …" or "http 5xx". */
  outcomes: Record<string, Record<string, number>>;
  /** Scenario-specific output (e.g. the sessions a writer left). */
  extra: unknown[];
}

/**
 * Runs a scenario of bench/scenarios.ts with `concurrency` virtual users in worker threads, so
 * the load generator's own work stays off the server's event loop.
 */
export async function runLoad(
  scenario: string,
  opts: { url: string; concurrency: number; params: unknown; workers?: number },
): Promise<LoadResult> {
  const workers = Math.max(1, Math.min(opts.workers ?? 1, opts.concurrency));
  const results = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const vus = Array.from({ length: opts.concurrency }, (_, i) => i).filter((i) => i % workers === w);
      const worker = startWorker(new URL('./load-worker.ts', import.meta.url), {
        scenario,
        url: opts.url,
        vus,
        params: opts.params,
      });
      return new Promise<LoadResult>((resolve, reject) => {
        worker.once('message', (m: LoadResult) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  const merged: LoadResult = { elapsedMs: 0, latencies: {}, outcomes: {}, extra: [] };
  for (const r of results) {
    merged.elapsedMs = Math.max(merged.elapsedMs, r.elapsedMs);
    for (const [op, values] of Object.entries(r.latencies))
      merged.latencies[op] = [...(merged.latencies[op] ?? []), ...values];
    for (const [op, counts] of Object.entries(r.outcomes)) {
      const into = merged.outcomes[op] ?? {};
      for (const [k, n] of Object.entries(counts)) into[k] = (into[k] ?? 0) + n;
      merged.outcomes[op] = into;
    }
    merged.extra.push(...r.extra);
  }
  return merged;
}

/** Requests, rate and latency percentiles of a list of latencies over a wall time. */
export function rate(latencies: number[], elapsedMs: number) {
  const p = percentiles(latencies);
  return {
    requests: latencies.length,
    'req/s': Math.round((latencies.length / elapsedMs) * 1000),
    'p50 ms': p.p50,
    'p99 ms': p.p99,
    'max ms': p.max,
  };
}

export function outcomeText(counts: Record<string, number> | undefined): string {
  return Object.entries(counts ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}

export { round };

/** The machine, for RESULTS.md. */
export async function machine() {
  const os = await import('node:os');
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim(),
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
