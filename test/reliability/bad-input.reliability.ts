import { createPostgresTestDatabase, createTestDatabase } from '../../server/db/test-db.ts';
import { badInputSuite } from './support/bad-input.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

const pglite = await createTestDatabase();
await badInputSuite('PGlite', pglite, RUNS, () => pglite.close());

const postgres = await createPostgresTestDatabase();
if (postgres) await badInputSuite('PostgreSQL', postgres, RUNS, () => postgres.drop());
else console.warn('SKIPPED: bad input on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
