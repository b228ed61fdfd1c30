import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { seedDemo } from './demo.ts';

/** `npm start`: one process serving the API (and, later, the web app) on one port. */
async function main() {
  const config = loadConfig();
  const app = await buildApp(config);
  const { log } = app;
  // package.json's engines say what is tested; npm only warns, so say it here too.
  if (Number(process.versions.node.split('.')[0]) < 22) {
    log.warn(`Node.js ${process.version} is past its end of life and untested here: use Node.js 22 or 24.`);
  }
  const embedded = config.databaseUrl === undefined;
  const empty = (await app.database.prisma.team.count()) === 0;
  const seed = config.demo === 'always' || (config.demo === 'auto' && embedded);
  let demo: { email: string; password: string } | null = null;
  if (seed && empty) demo = await seedDemo(app.ledger);

  const { url } = await app.start();
  const webApp = url.replace(/graphql$/, '');
  log.info(
    { database: embedded ? 'pglite' : 'postgres', webApp, graphql: url },
    `Punchcard is running on ${embedded ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}.`,
  );
  log.info(`Web app: ${webApp}`);
  log.info(`GraphQL API and GraphiQL: ${url}`);
  if (demo) log.info(`Demo studio seeded. Log in as ${demo.email} / ${demo.password}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing open requests and closing connections…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  // Before the logger exists (a configuration error) or after it failed: plain stderr.
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
