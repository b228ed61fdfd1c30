import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { type App, buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Database } from '../../server/db/index.ts';
import { createTestDatabase } from '../../server/db/test-db.ts';

export const DIST = resolve(fileURLToPath(new URL('../../client/dist', import.meta.url)));

/** Real time plus an offset the test moves: "late" is reached by moving the clock, not waiting. */
export class ShiftedClock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

export interface Stack {
  url: string;
  clock: ShiftedClock;
  app: App;
  db: Database;
  close(): Promise<void>;
}

/** The real API on an in-memory PGlite, plus the built web app on the same origin. */
export async function startStack(): Promise<Stack> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('client/dist is missing: run `npm run build:client` first (npm run test:e2e does).');
  }
  const clock = new ShiftedClock();
  const db = await createTestDatabase();
  const app = await buildApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO: 'never' }), {
    database: db,
    now: clock.now,
  });
  // The server serves the built app at / and the API at /graphql: one origin, as in production.
  const { port } = await app.start();
  return {
    url: `http://127.0.0.1:${port}`,
    clock,
    app,
    db,
    async close() {
      await app.stop();
      await db.close();
    },
  };
}

/**
 * Debian's Chromium (`apt-get install chromium`); a browser download of its own cannot work
 * here. The flags keep it from calling home, which this machine's network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
