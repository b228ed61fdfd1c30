import type { PGlite } from '@electric-sql/pglite';
import { createPackage } from '../server/ledger/packages.ts';
import { logSession } from '../server/ledger/sessions.ts';
import { parseArgs, printTable, writeJson } from './report.ts';
import {
  backendList,
  gid,
  openBackend,
  rate,
  runLoad,
  type Studio,
  seedClient,
  seedStudio,
  startServer,
} from './support.ts';

/**
 * Reads: `clients` (a page of 50 clients, each with two packages) and `balanceHistory` (100
 * entries, with actor, package, session type and session) — requests/s and latency at a fixed
 * concurrency; then, on PGlite, SQL statements per request at list sizes 1, 50 and 500 (counted
 * where they reach PGlite, as test/query-count.test.ts does).
 *
 *   npm run bench:reads -- --concurrency 16 --seconds 10 --sizes 1,50,500
 */
const args = parseArgs({ concurrency: 16, seconds: 10, sizes: '1,50,500', backends: 'pglite,postgres' });

export const CLIENTS = `query($n: Int!) { clients(first: $n) { edges { node {
  id name billingType totalRemainingCredits lowCredits
  creditBalances { sessionTypeName remainingCredits }
  packages { name remainingCredits barColor state sessionType { name } }
} } } }`;

export const HISTORY = `query($c: ID!, $n: Int!) { balanceHistory(clientId: $c, first: $n) { edges { node {
  sequence event amount balanceAfter note actorName actor { name role }
  package { name } sessionType { name } session { status startsAt }
} } } }`;

type Server = Awaited<ReturnType<typeof startServer>>;

/** A team with `n` package clients (two packages each), through the ledger. */
async function clientsTeam(server: Server, n: number) {
  const studio = await seedStudio(server.app.ledger);
  for (let i = 0; i < n; i++) {
    const { clientId } = await seedClient(server.app.ledger, studio, 10, `Client ${String(i).padStart(3, '0')}`);
    await createPackage(server.app.ledger, studio.actor, {
      clientId,
      name: 'Typed',
      credits: 5,
      sessionTypeId: studio.sessionTypeId,
    });
  }
  return studio;
}

/** A client whose history has `n` entries: one ISSUED and n-1 USED. */
async function historyClient(server: Server, studio: Studio, n: number) {
  const { clientId } = await seedClient(server.app.ledger, studio, Math.max(n, 1), 'Regular');
  for (let i = 0; i < n - 1; i++) {
    await logSession(server.app.ledger, studio.actor, {
      clientId,
      status: 'COMPLETED',
      sessionTypeId: studio.sessionTypeId,
    });
  }
  return gid('Client', clientId);
}

async function post(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/**
 * Counts statements reaching PGlite (query and exec) while `run` goes. Background work (the
 * webhook dispatcher's and the event feeds' polls) can land inside a request now and then, so
 * the request runs `times` times and the smallest count is its own.
 */
async function countStatements(pglite: PGlite, run: () => Promise<unknown>, times = 5): Promise<number> {
  let n = 0;
  const query = pglite.query;
  const exec = pglite.exec;
  pglite.query = ((...a: Parameters<typeof query>) => {
    n++;
    return query.apply(pglite, a);
  }) as typeof query;
  pglite.exec = ((...a: Parameters<typeof exec>) => {
    n++;
    return exec.apply(pglite, a);
  }) as typeof exec;
  const counts: number[] = [];
  try {
    for (let i = 0; i < times; i++) {
      n = 0;
      await run();
      counts.push(n);
    }
  } finally {
    pglite.query = query;
    pglite.exec = exec;
  }
  return Math.min(...counts);
}

const rows: Record<string, unknown>[] = [];
const statementRows: Record<string, unknown>[] = [];
const skipped: string[] = [];

for (const name of backendList(args.backends)) {
  const backend = await openBackend(name);
  if ('skipped' in backend) {
    console.warn(`SKIPPED reads on ${name}: ${backend.skipped}`);
    skipped.push(`${name}: ${backend.skipped}`);
    continue;
  }
  const server = await startServer(backend.db);
  try {
    const studio = await clientsTeam(server, 50);
    const clientId = await historyClient(server, studio, 100);
    const reads = [
      { op: 'clients', size: 50, query: CLIENTS, variables: { n: 50 } },
      { op: 'balanceHistory', size: 100, query: HISTORY, variables: { c: clientId, n: 100 } },
    ];
    for (const r of reads) {
      const check = await post(server.url, studio.token, r.query, r.variables);
      const got = Object.values(check)[0] as { edges: unknown[] };
      if (got.edges.length !== r.size) throw new Error(`${r.op}: expected ${r.size} rows, got ${got.edges.length}`);
      const load = await runLoad('read', {
        url: server.url,
        concurrency: args.concurrency,
        params: { ...r, token: studio.token, durationMs: args.seconds * 1000 },
      });
      const outcomes = load.outcomes[r.op] ?? {};
      rows.push({
        backend: backend.label,
        query: r.op,
        rows: r.size,
        concurrency: args.concurrency,
        ...rate(load.latencies[r.op] ?? [], load.elapsedMs),
        errors: Object.entries(outcomes)
          .filter(([k]) => k !== 'ok')
          .reduce((a, [, n]) => a + n, 0),
      });
    }

    if (backend.db.pglite) {
      const pglite = backend.db.pglite;
      for (const size of args.sizes.split(',').map(Number)) {
        const team = await clientsTeam(server, size);
        const history = await historyClient(server, team, size);
        const clients = await countStatements(pglite, () =>
          post(server.url, team.token, CLIENTS, { n: size }).then((d) => {
            // The history client is one more client of the team: the page holds `size` of them.
            if (d.clients.edges.length !== size) throw new Error(`clients: ${d.clients.edges.length} rows`);
          }),
        );
        const entries = await countStatements(pglite, () =>
          post(server.url, team.token, HISTORY, { c: history, n: size }).then((d) => {
            if (d.balanceHistory.edges.length !== size) throw new Error('history rows');
          }),
        );
        statementRows.push({
          'list size': size,
          'clients: SQL statements': clients,
          'balanceHistory: SQL statements': entries,
        });
      }
    }
  } finally {
    await server.stop();
    await backend.close();
  }
}

printTable(`Reads at concurrency ${args.concurrency} for ${args.seconds} s (rates in requests/s)`, rows);
printTable('SQL statements per request (PGlite, incl. the login lookup; fewest of 5 runs)', statementRows);
const flat =
  statementRows.length > 0 &&
  statementRows.every(
    (r) =>
      r['clients: SQL statements'] === statementRows[0]['clients: SQL statements'] &&
      r['balanceHistory: SQL statements'] === statementRows[0]['balanceHistory: SQL statements'],
  );
console.log(
  flat ? 'Statement counts are flat across list sizes: no N+1.' : 'Statement counts grow with the list size: N+1!',
);
writeJson(args.json, {
  bench: 'reads',
  at: new Date().toISOString(),
  args,
  skipped,
  rows,
  statements: statementRows,
  flat,
});
process.exit(flat && rows.every((r) => r.errors === 0) ? 0 : 1);
