import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the whole reliability suite — the fast files (`*.test.ts`, which
 * `npm test` runs too) and the slow ones (`*.reliability.ts`: crashes, outages). One file at a
 * time: they start server processes and load them, and on a 2-core machine two at once would
 * measure each other.
 */
export default defineConfig({
  resolve: {
    // As in the main config: one copy of graphql for our code and the libraries.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    environment: 'node',
    include: ['test/reliability/**/*.test.ts', 'test/reliability/**/*.reliability.ts'],
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 180_000,
  },
});
