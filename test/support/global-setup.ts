import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresTestDatabase, migratedDataDir, PG_TEMPLATE_ENV, TEMPLATE_ENV } from '../../server/db/test-db.ts';

/**
 * Once per test run: a migrated PGlite data directory in a temporary file, and (when the
 * PostgreSQL server is there) a migrated PostgreSQL database. Every test database is a copy of
 * one of them (server/db/test-db.ts), instead of each starting and migrating its own, which
 * costs seconds of CPU each (the migration engine is WebAssembly, compiled per process).
 */
export default async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-template-'));
  const file = path.join(dir, 'migrated.tar');
  const [dump, postgres] = await Promise.all([migratedDataDir(), createPostgresTestDatabase()]);
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  process.env[TEMPLATE_ENV] = file;
  if (postgres) {
    await postgres.close(); // a template must have no connections while it is copied
    process.env[PG_TEMPLATE_ENV] = new URL(postgres.url).pathname.slice(1);
  }
  return async () => {
    await postgres?.drop();
    await rm(dir, { recursive: true, force: true });
  };
}
