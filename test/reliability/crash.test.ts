import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'vitest';
import { openDatabase } from '../../server/db/index.ts';
import { crashLoop } from './support/crash.ts';

// The crash test in small, for `npm test`: 3 SIGKILLs under load on PGlite. The full one (20
// kills, PGlite and PostgreSQL) is crash.reliability.ts, in `npm run test:reliability`.
it('a server killed 3 times under a write load with idempotency keys loses and doubles nothing (PGlite)', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-crash-'));
  try {
    await crashLoop(3, { DATA_DIR: dir }, () => openDatabase({ dataDir: dir, migrate: false }), {
      writers: 4,
      loadMs: [300, 1_500],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
