import { createTestDatabase } from '../server/db/test-db.ts';
import { createClient as createLedgerClient } from '../server/ledger/catalog.ts';
import { createPackage } from '../server/ledger/packages.ts';
import { logSession } from '../server/ledger/sessions.ts';
import { parseArgs, percentiles, printTable, writeJson } from './report.ts';
import { seedStudio, startServer, startWorker } from './support.ts';

/**
 * Fan-out: N graphql-ws subscribers of one team on one instance, M credit-moving mutations.
 * Commit-to-receipt latency = when a subscriber got event k − when the transaction that wrote
 * it committed (the ledger's after-commit hook). Subscribers run in worker threads so their
 * work does not sit in the server's event loop; memory per connection is the server thread's
 * heap + external growth divided by N.
 *
 * Subscribers connect `batch` at a time per worker (a burst of thousands of simultaneous connects
 * overflows the listen backlog and gets ECONNRESET; graphql-ws would retry, but the bench wants
 * the steady state); the time to connect them all is reported.
 *
 *   npm run bench:fanout -- --subscribers 1000 --mutations 200 [--batch 100] [--json out.json]
 */
const args = parseArgs({ subscribers: 1000, mutations: 200, workers: 2, batch: 100 });
const clock = () => performance.timeOrigin + performance.now();

const database = await createTestDatabase();
const { app, url } = await startServer(database);
const { token, actor } = await seedStudio(app.ledger, 'Bench');
const client = await createLedgerClient(app.ledger, actor, { name: 'Hot client' });
await createPackage(app.ledger, actor, { clientId: client.id, name: 'Big pack', credits: args.mutations });
const start = (await database.prisma.team.findUniqueOrThrow({ where: { id: actor.teamId } })).lastSequence;

/** The server thread's JS heap after full collections (PGlite's wasm memory is left out: it is shared, not per socket). */
const memory = () => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};
if (!globalThis.gc) console.warn('run with node --expose-gc for a stable memory figure');
const baseline = memory();
const perWorker = Math.ceil(args.subscribers / args.workers);
const workers = Array.from({ length: args.workers }, (_, i) => {
  const count = Math.min(perWorker, args.subscribers - i * perWorker);
  return startWorker(new URL('./fanout-worker.ts', import.meta.url), {
    url: url.replace('http', 'ws'),
    token: token,
    count,
    after: start,
    batch: args.batch,
  });
});
const connectBegan = clock();
const progress = new Map<number, number>();
const readiness = await Promise.all(
  workers.map(
    (w, i) =>
      new Promise<{ ready: number; connectErrors: number }>((resolve) => {
        const listener = (m: { type: string; ready: number; connectErrors: number }) => {
          if (m.type === 'progress') {
            progress.set(i, m.ready);
            const total = [...progress.values()].reduce((a, b) => a + b, 0);
            process.stderr.write(`\r${total}/${args.subscribers} subscribers connected`);
            return;
          }
          w.off('message', listener);
          resolve(m);
        };
        w.on('message', listener);
      }),
  ),
);
process.stderr.write('\n');
const connectMs = clock() - connectBegan;
const connected = readiness.reduce((a, r) => a + r.ready, 0);
const connectErrors = readiness.reduce((a, r) => a + r.connectErrors, 0);
await new Promise((r) => setTimeout(r, 1000)); // let every subscription reach the live feed
const perConnection = (memory() - baseline) / Math.max(1, connected);

// Commits are sequential, so the k-th after-commit hook belongs to sequence start + k.
const commits: number[] = [];
const teamChanged = app.ledger.teamChanged!;
app.ledger.teamChanged = (teamId) => {
  commits.push(clock());
  teamChanged(teamId);
};
const began = clock();
for (let i = 0; i < args.mutations; i++) {
  await logSession(app.ledger, actor, { clientId: client.id, status: 'COMPLETED' });
  if ((i + 1) % 20 === 0) process.stderr.write(`\r${i + 1}/${args.mutations} mutations`);
}
process.stderr.write('\n');
const writeMs = clock() - began;

// Give the last deliveries a moment, then collect what every subscriber received.
await new Promise((r) => setTimeout(r, 2000));
const reports = (
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<{ sequence: number; at: number }[][]>((resolve) => {
          w.once('message', (m: { received: { sequence: number; at: number }[][] }) => resolve(m.received));
          w.postMessage({ type: 'report' });
        }),
    ),
  )
).flat();

let lost = 0;
let duplicated = 0;
const latencies: number[] = [];
for (const events of reports) {
  const seen = new Set<number>();
  for (const { sequence, at } of events) {
    if (seen.has(sequence)) duplicated++;
    seen.add(sequence);
    const commit = commits[sequence - start - 1];
    if (commit !== undefined) latencies.push(at - commit);
  }
  // A subscriber that never connected is reported as such, not as lost events.
  if (events.length === 0 && connected < args.subscribers) continue;
  for (let s = start + 1; s <= start + args.mutations; s++) if (!seen.has(s)) lost++;
}
const p = percentiles(latencies);
const result = {
  subscribers: args.subscribers,
  connected,
  'connect s': Math.round(connectMs / 100) / 10,
  'connect errors (retried)': connectErrors,
  mutations: args.mutations,
  deliveries: latencies.length,
  'mutations/s': Math.round((args.mutations / writeMs) * 1000),
  'latency p50 ms': p.p50,
  'latency p95 ms': p.p95,
  'latency p99 ms': p.p99,
  'latency max ms': p.max,
  'events lost': lost,
  'events duplicated': duplicated,
  'server KiB/connection': Math.round(perConnection / 102.4) / 10,
};
printTable('Fan-out (graphql-ws, one instance, PGlite)', [result]);
writeJson(args.json, { bench: 'fanout', at: new Date().toISOString(), result });
await app.stop();
await database.close();
process.exit(lost || duplicated || connected < args.subscribers ? 1 : 0);
