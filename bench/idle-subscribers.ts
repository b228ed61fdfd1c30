import { performance } from 'node:perf_hooks';
import { buildApp } from '../server/app.ts';
import { signUp } from '../server/auth/team.ts';
import { loadConfig } from '../server/config.ts';
import { createTestDatabase } from '../server/db/test-db.ts';
import { parseArgs, printTable, writeJson } from './report.ts';
import { startWorker } from './support.ts';

/**
 * What idle subscribers cost: N `ledgerEvents` subscribers of one team, no writes at all, for
 * `seconds`. Counts the SQL statements that still reach the database and how busy the server's
 * event loop is. Explains where the fan-out bench's ceiling comes from.
 *
 *   npm run bench:idle -- --subscribers 500,1000,2000,3000 --seconds 10
 */
const args = parseArgs({ subscribers: '500,1000,2000,3000', seconds: 10, batch: 100 });

const rows: Record<string, unknown>[] = [];
for (const n of args.subscribers.split(',').map(Number)) {
  const database = await createTestDatabase();
  const app = await buildApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', JOBS: 'off' }), {
    database,
  });
  const { url } = await app.start();
  const login = await signUp(app.ledger, {
    teamName: 'Idle',
    name: 'Idle',
    email: `idle-${n}@example.com`,
    password: 'bench-password',
  });
  const worker = startWorker(new URL('./fanout-worker.ts', import.meta.url), {
    url: url.replace('http', 'ws'),
    token: login.token,
    count: n,
    after: 0,
    batch: args.batch,
  });
  await new Promise<void>((resolve) => worker.on('message', (m: { type: string }) => m.type === 'ready' && resolve()));
  await new Promise((r) => setTimeout(r, 2_000)); // let the connection burst settle

  const pglite = database.pglite!;
  const query = pglite.query;
  const statements: Record<string, number> = {};
  pglite.query = ((...a: Parameters<typeof query>) => {
    const table = String(a[0]).match(/FROM "public"\."(\w+)"/)?.[1] ?? 'other';
    statements[table] = (statements[table] ?? 0) + 1;
    return query.apply(pglite, a);
  }) as typeof query;
  const elu = performance.eventLoopUtilization();
  await new Promise((r) => setTimeout(r, args.seconds * 1000));
  const busy = performance.eventLoopUtilization(elu).utilization;
  pglite.query = query;

  const total = Object.values(statements).reduce((a, b) => a + b, 0);
  rows.push({
    'idle subscribers': n,
    'SQL statements/s': Math.round(total / args.seconds),
    'of which LoginSession lookups/s': Math.round((statements.LoginSession ?? 0) / args.seconds),
    'server event loop busy %': Math.round(busy * 100),
  });
  worker.postMessage({ type: 'report' });
  await new Promise((resolve) => worker.once('exit', resolve));
  await app.stop();
  await database.close();
}

printTable('Idle subscribers: the database work and server time they cost with no writes at all', rows);
writeJson(args.json, { bench: 'idle-subscribers', at: new Date().toISOString(), args, rows });
process.exit(0);
