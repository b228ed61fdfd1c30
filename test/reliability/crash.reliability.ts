import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openDatabase } from '../../server/db/index.ts';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../server/db/test-db.ts';
import { crashLoop } from './support/crash.ts';

/** SIGKILL at random moments under a mixed write load (see support/crash.ts), 20 times per database. */
const KILLS = Number(process.env.CRASH_KILLS ?? 20);

const postgres = await createPostgresTestDatabase();
if (!postgres) console.warn('SKIPPED: crash test on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
afterAll(() => postgres?.drop());

describe('SIGKILL under a mixed write load with idempotency keys', () => {
  it(`on PGlite (data in a directory): ${KILLS} kills, nothing lost or doubled`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-crash-'));
    try {
      await crashLoop(KILLS, { DATA_DIR: dir }, () => openDatabase({ dataDir: dir, migrate: false }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!postgres)(`on PostgreSQL: ${KILLS} kills, nothing lost or doubled`, async () => {
    const pg = postgres as PostgresTestDatabase;
    await crashLoop(KILLS, { DATABASE_URL: pg.url }, async () => ({ prisma: pg.prisma, close: async () => {} }));
  });
});
