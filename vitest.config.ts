import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for the libraries in node_modules; make our own code
    // use the same copy, or graphql refuses types "from another module or realm".
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // One migrated PGlite for the whole run, cloned by every file (server/db/test-db.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Vitest's default is one file at a time per core but one (1 on a 2-core machine). The
    // files mostly wait — on sockets, child servers, PostgreSQL — so several at once fill the
    // cores instead of idling them; every test owns its database, ports and data directory.
    maxWorkers: 4,
    // A worker keeps the modules it loaded (the schema, Prisma's client) for its next file instead
    // of importing them again: every file makes its own databases, servers and clocks anyway.
    isolate: false,
    // Deadlines, not waits (tests wait for conditions): room for a loaded 2-core machine running
    // several files, where a child server or the migration engine can take half a minute.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
