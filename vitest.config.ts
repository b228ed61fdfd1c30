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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
