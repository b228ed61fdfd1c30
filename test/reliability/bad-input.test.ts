import { createTestDatabase } from '../../server/db/test-db.ts';
import { badInputSuite } from './support/bad-input.ts';

// Fast enough for `npm test`: every mutation, a few generated calls each, on PGlite.
// `npm run test:reliability` runs many more, on PGlite and PostgreSQL (bad-input.reliability.ts).
const db = await createTestDatabase();
await badInputSuite('PGlite', db, Number(process.env.FUZZ_RUNS ?? 8), () => db.close());
