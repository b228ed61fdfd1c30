// Databases for tests: each test gets its own, so tests can run in parallel and never see each
// other's rows.
//
// PGlite: starting an in-memory PGlite takes ~2 s and migrating it ~0.1 s more, so we migrate one
// per process, dump its data directory, and start every test database from that dump instead.
// A test run makes that dump once for all its files (test/support/global-setup.ts) and passes its
// path in PUNCHCARD_PGLITE_TEMPLATE.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, openDatabase, redactUrl } from './index.ts';
import { applyMigrations } from './migrations.ts';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Path of a dump made by migratedDataDir(), shared by the processes of one test run. */
export const TEMPLATE_ENV = 'PUNCHCARD_PGLITE_TEMPLATE';
/**
 * Name of a migrated PostgreSQL database of the test run: new migrated databases are copied
 * from it (CREATE DATABASE … TEMPLATE, a file copy) instead of each running the migrations.
 */
export const PG_TEMPLATE_ENV = 'PUNCHCARD_PG_TEMPLATE';

let template: Promise<File | Blob> | undefined;

/** The data directory of a freshly migrated in-memory PGlite. */
export async function migratedDataDir(): Promise<File | Blob> {
  const pglite = await PGlite.create();
  try {
    await applyMigrations({ kind: 'pglite', pglite });
    return await pglite.dumpDataDir('none'); // uncompressed: the clone is faster without gunzip
  } finally {
    await pglite.close();
  }
}

/** The migrated data directory: the test run's shared dump, or one made once per process. */
function migratedTemplate(): Promise<File | Blob> {
  const shared = process.env[TEMPLATE_ENV];
  template ??= shared ? readFile(shared).then((bytes) => new Blob([bytes])) : migratedDataDir();
  template.catch(() => {
    template = undefined;
  });
  return template;
}

/** A fresh, migrated, in-memory PGlite database of its own. Close it when done. */
export async function createTestDatabase(): Promise<Database> {
  const pglite = await PGlite.create({ loadDataDir: await migratedTemplate() });
  return openDatabase({ pglite, migrate: false });
}

export type PostgresTestDatabase = Database & {
  /** Connection URL of this test's own database. */
  url: string;
  /** Closes the database and drops it. */
  drop(): Promise<void>;
};

/**
 * A new, migrated (unless `migrate: false`) PostgreSQL database named pc_test_<random>, created through TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres). Returns null when that server cannot
 * be reached, so the caller can skip; on CI (CI=true) that is an error instead, so that a
 * missing service cannot silently turn the PostgreSQL tests into skips.
 */
export async function createPostgresTestDatabase(
  opts: { migrate?: boolean } = {},
): Promise<PostgresTestDatabase | null> {
  const adminUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  admin.on('error', () => {}); // reported by the failing call instead
  try {
    await admin.connect();
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(
        `PostgreSQL for tests is unreachable at ${redactUrl(adminUrl)} (set TEST_DATABASE_URL): ${(error as Error).message}`,
      );
    }
    return null;
  }

  const name = `pc_test_${randomBytes(6).toString('hex')}`;
  const migrate = opts.migrate ?? true;
  const template = migrate ? process.env[PG_TEMPLATE_ENV] : undefined;
  if (template && !/^pc_test_[0-9a-f]{12}$/.test(template)) throw new Error(`${PG_TEMPLATE_ENV}: not a test database`);
  try {
    await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await admin.end();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dropDatabase = async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      // pg's pool.end() resolves before its sockets have closed. Give the backends a moment to
      // go, so FORCE does not kill them mid-goodbye (which the closed pool reports as an error).
      for (let i = 0; i < 40; i++) {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
          name,
        ]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };

  let db: Database;
  try {
    db = await openDatabase({ databaseUrl: url.href, migrate: migrate && !template });
  } catch (error) {
    await dropDatabase();
    throw error;
  }
  return {
    ...db,
    url: url.href,
    async drop() {
      await db.close();
      await dropDatabase();
    },
  };
}
