import { defineConfig } from 'vitest/config';

// End-to-end: one real Chromium against the real server on PGlite, one file, in sequence.
export default defineConfig({
  resolve: {
    // The same single copy of graphql as the root config (server code runs in this process).
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.e2e.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
