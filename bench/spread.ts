import { ledgerViolations } from '../test/reliability/support/ledger-invariants.ts';
import { parseArgs, printTable, writeJson } from './report.ts';
import {
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
 * Spread load: `writers` concurrent writers over `clients` clients of `teams` teams, each writer
 * mixing log, book, cancel (its own bookings) and undo (its own logged sessions), every call
 * with an idempotency key, for `seconds`. Throughput and latency per operation and overall, then
 * the ledger invariants over everything written.
 *
 *   npm run bench:spread -- --teams 8 --clients 200 --writers 32 --seconds 15
 */
const args = parseArgs({ teams: 8, clients: 200, writers: 32, seconds: 15, backends: 'pglite,postgres' });

const rows: Record<string, unknown>[] = [];
const skipped: string[] = [];
let allOk = true;

for (const name of backendList(args.backends)) {
  const backend = await openBackend(name);
  if ('skipped' in backend) {
    console.warn(`SKIPPED spread load on ${name}: ${backend.skipped}`);
    skipped.push(`${name}: ${backend.skipped}`);
    continue;
  }
  const server = await startServer(backend.db);
  try {
    const teams = [];
    for (let t = 0; t < args.teams; t++) {
      const studio = await seedStudio(server.app.ledger);
      const clients: string[] = [];
      const perTeam = Math.ceil(args.clients / args.teams);
      for (let c = 0; c < perTeam; c++) {
        // Enough credits that refusals are rare: this measures writes, not InsufficientCredits.
        const { clientId } = await seedClient(server.app.ledger, studio, 10_000, `Client ${t}.${c}`);
        clients.push(gid('Client', clientId));
      }
      teams.push({ token: studio.token, sessionTypeId: gid('SessionType', studio.sessionTypeId), clients });
    }
    const load = await runLoad('spread', {
      url: server.url,
      concurrency: args.writers,
      params: { teams, durationMs: args.seconds * 1000 },
    });
    const all = Object.values(load.latencies).flat();
    const failures = Object.values(load.outcomes)
      .flatMap((o) => Object.entries(o))
      .filter(([k]) => !/^(SessionPayload|InsufficientCredits|PackageExhausted)$/.test(k))
      .reduce((a, [, n]) => a + n, 0);
    const violations = await ledgerViolations(backend.db.prisma);
    if (violations.length) console.error(`${backend.label}: invariants broken:\n  ${violations.join('\n  ')}`);
    const ok = failures === 0 && violations.length === 0;
    allOk &&= ok;
    const common = { backend: backend.label, teams: args.teams, clients: args.clients, writers: args.writers };
    rows.push({
      ...common,
      operation: 'all',
      ...rate(all, load.elapsedMs),
      'unexpected errors': failures,
      invariants: violations.length ? `${violations.length} BROKEN` : 'hold',
    });
    for (const [op, latencies] of Object.entries(load.latencies).sort()) {
      rows.push({
        ...common,
        operation: op,
        ...rate(latencies, load.elapsedMs),
        outcomes: outcomeText(load.outcomes[op]),
      });
    }
  } finally {
    await server.stop();
    await backend.close();
  }
}

printTable('Spread load: log / book / cancel / undo over many clients (rates in requests/s)', rows);
writeJson(args.json, { bench: 'spread', at: new Date().toISOString(), args, skipped, rows });
process.exit(allOk ? 0 : 1);
