import pg from 'pg';
import { parseArgs, printTable, round, writeJson } from './report.ts';
import {
  type Backend,
  backendList,
  gid,
  openBackend,
  outcomeText,
  rate,
  runLoad,
  seedClient,
  seedStudio,
  startServer,
} from './support.ts';

/**
 * Hot account: `calls` concurrent logSession calls through the whole stack (HTTP over loopback
 * → yoga → ledger transaction) on one client's one package of `credits`, against the same number
 * of bare conditional UPDATEs on another package of the same database — the practical ceiling
 * of "take one credit if there is one". Calls > credits, so the last ones must be refused: no
 * overdraft means exactly `credits` successes and remaining never below 0.
 *
 *   npm run bench:hot -- --calls 1200 --credits 1000 --concurrency 32 --backends pglite,postgres
 */
const args = parseArgs({ calls: 1200, credits: 1000, concurrency: 32, backends: 'pglite,postgres', keys: 'both' });
const SQL = 'UPDATE "Package" SET "remainingCredits" = "remainingCredits" - 1 WHERE id = $1 AND "remainingCredits" > 0';

const rows: Record<string, unknown>[] = [];
const skipped: string[] = [];

async function bareSql(backend: Backend, packageId: string) {
  let run: (sql: string, params: unknown[]) => Promise<number>;
  let end = async () => {};
  if (backend.name === 'pglite') {
    const pglite = backend.db.pglite!;
    run = async (sql, params) => (await pglite.query(sql, params)).affectedRows ?? 0;
  } else {
    // As many connections as the server's pool (DB_POOL_SIZE default 10).
    const pool = new pg.Pool({ connectionString: backend.url, max: 10 });
    run = async (sql, params) => (await pool.query(sql, params)).rowCount ?? 0;
    end = () => pool.end();
  }
  const latencies: number[] = [];
  let successes = 0;
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: args.concurrency }, async () => {
      while (next++ < args.calls) {
        const t = performance.now();
        const changed = await run(SQL, [packageId]);
        latencies.push(performance.now() - t);
        successes += changed;
      }
    }),
  );
  const elapsedMs = performance.now() - began;
  await end();
  return { latencies, elapsedMs, successes };
}

for (const name of backendList(args.backends)) {
  const backend = await openBackend(name);
  if ('skipped' in backend) {
    console.warn(`SKIPPED hot account on ${name}: ${backend.skipped}`);
    skipped.push(`${name}: ${backend.skipped}`);
    continue;
  }
  const server = await startServer(backend.db);
  try {
    const { prisma } = backend.db;
    const studio = await seedStudio(server.app.ledger);
    const modes = args.keys === 'both' ? [false, true] : [args.keys === 'on'];
    const results: Record<string, unknown>[] = [];
    for (const keys of modes) {
      const { clientId, packageId } = await seedClient(server.app.ledger, studio, args.credits, 'Hot client');
      const load = await runLoad('hotAccount', {
        url: server.url,
        concurrency: args.concurrency,
        params: {
          token: studio.token,
          clientId: gid('Client', clientId),
          packageId: gid('Package', packageId),
          calls: args.calls,
          concurrency: args.concurrency,
          keys,
        },
      });
      const outcomes = load.outcomes.logSession ?? {};
      const successes = outcomes.SessionPayload ?? 0;
      const pkg = await prisma.package.findUniqueOrThrow({ where: { id: packageId } });
      const entries = await prisma.ledgerEntry.findMany({
        where: { packageId },
        select: { amount: true, event: true },
      });
      const sum = entries.reduce((a, e) => a + e.amount, 0);
      const belowZero = await prisma.ledgerEntry.count({ where: { clientId, balanceAfter: { lt: 0 } } });
      const used = entries.filter((e) => e.event === 'USED').length;
      const overdrafts = Math.max(0, successes - args.credits) + belowZero + (pkg.remainingCredits < 0 ? 1 : 0);
      const expected = Math.min(args.calls, args.credits);
      results.push({
        backend: backend.label,
        path: keys ? 'GraphQL logSession + idempotency key' : 'GraphQL logSession',
        calls: args.calls,
        credits: args.credits,
        concurrency: args.concurrency,
        ...rate(load.latencies.logSession ?? [], load.elapsedMs),
        successes,
        overdrafts,
        'remaining = Σ entries': pkg.remainingCredits === sum && used === successes ? 'yes' : 'NO',
        ok: successes === expected && overdrafts === 0 && pkg.remainingCredits === args.credits - expected,
        outcomes: outcomeText(outcomes),
      });
    }
    const { packageId } = await seedClient(server.app.ledger, studio, args.credits, 'SQL ceiling');
    const sql = await bareSql(backend, packageId);
    const after = await prisma.package.findUniqueOrThrow({ where: { id: packageId } });
    const sqlRow = {
      backend: backend.label,
      path: 'bare SQL conditional UPDATE',
      calls: args.calls,
      credits: args.credits,
      concurrency: args.concurrency,
      ...rate(sql.latencies, sql.elapsedMs),
      successes: sql.successes,
      overdrafts: Math.max(0, sql.successes - args.credits) + (after.remainingCredits < 0 ? 1 : 0),
      ok: sql.successes === Math.min(args.calls, args.credits) && after.remainingCredits >= 0,
    };
    for (const r of results) r['SQL÷GraphQL'] = round(sqlRow['req/s'] / (r['req/s'] as number));
    rows.push(...results, sqlRow);
  } finally {
    await server.stop();
    await backend.close();
  }
}

printTable('Hot account: concurrent logSession on one package vs bare SQL (rates in calls/s)', rows);
writeJson(args.json, { bench: 'hot-account', at: new Date().toISOString(), args, skipped, rows });
process.exit(rows.every((r) => r.ok) ? 0 : 1);
