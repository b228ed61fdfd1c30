// Database selection: PGlite (PostgreSQL in WebAssembly, in-process) by default, a real
// PostgreSQL server when a DATABASE_URL is given. Both run the same migrations and the same
// Prisma Client.
//
// PGlite is ONE connection. What that means for Prisma interactive transactions through
// pglite-prisma-adapter 0.7.2 (measured in test/db.test.ts and by hand):
// - Safe: PGlite's own `transaction()` holds a mutex for the whole transaction, and every
//   `query`/`exec` outside a transaction waits on that same mutex. 50 (and 2000) concurrent
//   `$transaction(async tx => …)` doing SELECT … FOR UPDATE + UPDATE + INSERTs ran one after the
//   other with no error and no lost update, and a statement issued outside a transaction while
//   one was open ran after it, not inside it (it survived that transaction's rollback).
// - Not fine: a burst of transactions ran as one unbroken chain of microtasks. 2000 of them
//   (6 s) let no timer fire and no socket be read, so HTTP and WebSocket traffic froze for
//   the whole burst. The wrapper below queues transactions itself and yields to the event loop
//   before each one (then: 2000 in ~3 s, timers firing throughout, checked by a test). Queueing
//   is the normal case on one connection: the queue is an Admission (admission.ts), bounded only
//   by its documented depth and wait.
// - Hazard, inherent: inside `$transaction(async tx => …)`, a query sent through the outer
//   `prisma` instead of `tx` waits for the transaction to end, which waits for it: it hangs
//   until the transaction times out (5 s) and fails. On PostgreSQL the same code "works" (on a
//   second connection, outside the transaction). Always use `tx` inside a transaction.
// - Isolation levels are ignored on PGlite: the adapter sends SET TRANSACTION outside the
//   transaction. Harmless, since transactions never overlap.
// - Nested `$transaction` (savepoints) is not supported by pglite-prisma-adapter.
//
// On PostgreSQL (@prisma/adapter-pg, pool, default READ COMMITTED) each interactive transaction
// has its own pooled connection, and SELECT … FOR UPDATE on the team row makes concurrent
// writers of one team wait for each other: 50 concurrent increments end at exactly 50.

import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { loadConfig } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../observability/log.ts';
import { Admission, type AdmissionLimits, TRANSACTION_MAX_WAIT_MS } from './admission.ts';
import { applyMigrations, type MigrationTarget } from './migrations.ts';

export type Database = {
  prisma: PrismaClient;
  kind: 'pglite' | 'postgres';
  /** The underlying PGlite instance (kind 'pglite' only), e.g. to dump it. */
  pglite?: PGlite;
  /** The connection pool (kind 'postgres' only), for its usage figures. */
  pool?: pg.Pool;
  /** Disconnects Prisma, then closes PGlite or ends the pool. */
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** postgres:// or postgresql:// URL; without it, PGlite is used. */
  databaseUrl?: string;
  /** Where PGlite keeps its files (created if missing). Default: ./data */
  dataDir?: string;
  /** An existing PGlite (e.g. in-memory for tests); the Database owns it and closes it. */
  pglite?: PGlite;
  /** Apply pending migrations before returning. Default: true */
  migrate?: boolean;
  /** PostgreSQL pool size. Default: pg's default (10). */
  poolSize?: number;
  /** Waiting for a PostgreSQL connection: the documented limits (admission.ts) unless tightened, e.g. by a test. */
  admission?: AdmissionLimits;
  /** Where the pool reports a lost idle connection. */
  log?: Logger;
};

export const DEFAULT_DATA_DIR = './data';

/** No connection came back for this long while requests waited for one: PostgreSQL is not answering. */
const POOL_STALL_MS = 2_000;

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const migrate = opts.migrate ?? true;

  if (opts.databaseUrl) {
    const url = checkPostgresUrl(opts.databaseUrl);
    if (migrate) await applyMigrations({ kind: 'postgres', url });
    const pool = new AdmittedPool(opts.admission, {
      connectionString: url,
      ...(opts.poolSize ? { max: opts.poolSize } : {}),
      // Fail fast when PostgreSQL is away (restart, partition) instead of hanging every request:
      // connecting gives up after 2 s, a statement after 2.5 s (ours take milliseconds, and
      // writers of one team queue in the process, not on the row lock: see team-write.ts), and
      // keep-alive notices a dead link. The API then answers DatabaseUnavailable (503) until it
      // is back. Waiting for a free connection is not bounded by these: see AdmittedPool.
      connectionTimeoutMillis: 2_000,
      query_timeout: 2_500,
      keepAlive: true,
    });
    // An idle client losing its connection emits 'error' on the pool; unhandled, that kills the
    // process. The pool drops the client by itself and the next query reports any real outage.
    pool.on('error', (error) => opts.log?.warn({ err: error }, `PostgreSQL pool: ${error.message}`));
    const prisma = new PrismaClient({
      adapter: new PrismaPg(pool),
      transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
    });
    return {
      prisma,
      kind: 'postgres',
      pool,
      close: once(async () => {
        await prisma.$disconnect();
        await pool.end();
      }),
    };
  }

  const pglite = opts.pglite ?? (await openPGlite(opts.dataDir ?? DEFAULT_DATA_DIR));
  try {
    if (migrate) await applyMigrations({ kind: 'pglite', pglite });
  } catch (error) {
    if (!opts.pglite) await pglite.close();
    throw error;
  }
  const prisma = new PrismaClient({
    adapter: yieldingTransactions(new PrismaPGlite(pglite)),
    transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
  });
  return {
    prisma,
    kind: 'pglite',
    pglite,
    close: once(async () => {
      await prisma.$disconnect();
      if (!pglite.closed) await pglite.close();
    }),
  };
}

/** The database the server would use, from the same configuration (DATABASE_URL, DATA_DIR, DB_POOL_SIZE). */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenDatabaseOptions {
  const config = loadConfig(env);
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize };
}

/**
 * Applies pending migrations to the configured database (what `npm run db:migrate` does) and
 * says which database that was, with any password hidden.
 */
export async function migrateConfiguredDatabase(
  opts: Pick<OpenDatabaseOptions, 'databaseUrl' | 'dataDir'> = databaseOptionsFromEnv(),
): Promise<{ applied: string[]; target: string }> {
  if (opts.databaseUrl) {
    const url = checkPostgresUrl(opts.databaseUrl);
    const { applied } = await applyMigrations({ kind: 'postgres', url });
    return { applied, target: redactUrl(url) };
  }
  const dataDir = path.resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  const pglite = await openPGlite(dataDir);
  try {
    const target: MigrationTarget = { kind: 'pglite', pglite };
    const { applied } = await applyMigrations(target);
    return { applied, target: `PGlite at ${dataDir}` };
  } finally {
    await pglite.close();
  }
}

async function openPGlite(dataDir: string): Promise<PGlite> {
  const dir = path.resolve(dataDir);
  await mkdir(dir, { recursive: true });
  return PGlite.create({ dataDir: dir });
}

/** close() may be called twice (e.g. by a test's drop() after the test closed it). */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

function checkPostgresUrl(url: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql://, got ${JSON.stringify(redactUrl(url))}`);
  }
  // Like psql, a URL without a user means the operating-system user (node-postgres would
  // otherwise read $USER, which services and containers often leave unset).
  const parsed = new URL(url);
  if (!parsed.username) {
    parsed.username = encodeURIComponent(userInfo().username);
    return parsed.href;
  }
  return url;
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/**
 * The PGlite adapter factory with transactions queued here, one at a time, each starting only
 * after a turn of the event loop, so that timers and sockets get served between transactions.
 * PGlite would serialize them anyway (see the note at the top); this only adds the yield.
 */
function yieldingTransactions(base: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  const turns = new Admission(1, 'turn on the embedded database');

  return {
    provider: base.provider,
    adapterName: base.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await base.connect();
      const startTransaction = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolationLevel) => {
        const endTurn = await turns.enter();
        try {
          await new Promise((resolve) => setImmediate(resolve));
          const tx = await startTransaction(isolationLevel);
          const commit = tx.commit.bind(tx);
          const rollback = tx.rollback.bind(tx);
          tx.commit = () => commit().finally(endTurn);
          tx.rollback = () => rollback().finally(endTurn);
          return tx;
        } catch (error) {
          endTurn();
          throw error;
        }
      };
      return adapter;
    },
  };
}

/**
 * A pg Pool whose checkouts wait in an Admission (admission.ts) instead of pg's own queue. pg
 * bounds waiting for a busy pool by `connectionTimeoutMillis`, the same 2 s that bounds
 * connecting, and fails both with "timeout exceeded when trying to connect": under a burst a
 * busy pool looked exactly like an unreachable database. Here only as many callers as the pool
 * has connections reach pg (so pg never queues, and its timeout only bounds connecting); the
 * others wait their turn, and are refused as overloaded past the admission's depth or wait, or as
 * "not answering" when no connection came back for POOL_STALL_MS (a partition).
 */
class AdmittedPool extends pg.Pool {
  readonly admission: Admission;

  constructor(limits: AdmissionLimits | undefined, config: pg.PoolConfig) {
    super(config);
    this.admission = new Admission(config.max ?? 10, 'database connection', { stallMs: POOL_STALL_MS, ...limits });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: Error | boolean) => void,
    ) => void,
  ): void;
  override connect(
    callback?: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: Error | boolean) => void,
    ) => void,
  ): Promise<pg.PoolClient> | undefined {
    const checkedOut = this.checkOut();
    if (!callback) return checkedOut;
    // pg's own pool.query() checks out with a callback.
    checkedOut.then(
      (client) => callback(undefined, client, client.release),
      (error: Error) => callback(error, undefined, () => {}),
    );
    return undefined;
  }

  private async checkOut(): Promise<pg.PoolClient> {
    const leave = await this.admission.enter();
    let client: pg.PoolClient;
    try {
      client = await super.connect();
    } catch (error) {
      leave();
      throw error;
    }
    const release = client.release;
    client.release = (error?: Error | boolean) => {
      try {
        release(error);
      } finally {
        leave();
      }
    };
    return client;
  }
}
