import { type App, buildApp } from '../../../server/app.ts';
import { loadConfig } from '../../../server/config.ts';
import type { Database } from '../../../server/db/index.ts';

/** The real server (yoga + ws over node:http) in this process, on a loopback port. */
export async function startInProcess(db: Database): Promise<{ app: App; url: string; stop(): Promise<void> }> {
  const app = await buildApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.FUZZ_LOG ?? 'silent', JOBS: 'off' }),
    {
      database: db,
    },
  );
  const { url } = await app.start();
  return {
    app,
    url,
    async stop() {
      await app.stop();
      // app.stop() leaves the webhook dispatcher's timer running (reported); stop it before the
      // caller closes the database under it.
      await app.webhooks.stop();
    },
  };
}
