import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migratedDataDir, TEMPLATE_ENV } from '../../server/db/test-db.ts';

/**
 * Once per `vitest run`: a migrated PGlite data directory in a temporary file, which every test
 * file's databases are cloned from (server/db/test-db.ts), instead of each file starting and
 * migrating its own first (~2–5 s of CPU per file).
 */
export default async function setup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-template-'));
  const file = path.join(dir, 'migrated.tar');
  await writeFile(file, Buffer.from(await (await migratedDataDir()).arrayBuffer()));
  process.env[TEMPLATE_ENV] = file;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
