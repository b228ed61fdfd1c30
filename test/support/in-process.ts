import { type App, buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Database } from '../../server/db/index.ts';

/**
 * The real server (yoga + ws over node:http) in this process, on a loopback port, on the given
 * database; background jobs off. Shared by the benchmarks and the reliability suite.
 * LOG_LEVEL=error (e.g.) shows what the server logs, which is silent otherwise.
 */
export async function startInProcess(db: Database): Promise<{ app: App; url: string; stop(): Promise<void> }> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JOBS: 'off',
  });
  const app = await buildApp(config, { database: db });
  const { url } = await app.start();
  return { app, url, stop: () => app.stop() };
}
