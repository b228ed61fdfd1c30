import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../server/db/index.ts';
import { applyMigrations } from '../server/db/migrations.ts';
import { seedDemo } from '../server/demo.ts';
import { parseArgs, printTable, round, writeJson } from './report.ts';

/**
 * Cold start: from spawning what `npm start` runs (`node --import tsx server/main.ts`) to the
 * first answered GraphQL request, on an empty embedded database (migrations + demo seed) and on
 * an existing one (the same data directory, started again). Each case `runs` times; the first
 * run of all also pays tsx's transform cache, so it is reported apart.
 *
 *   npm run bench:cold -- --runs 3
 */
const args = parseArgs({ runs: 3 });
const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Milliseconds from spawn to (a) the "running" log line and (b) the first 200 to `{ __typename }`. */
async function start(dataDir: string) {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let logged: number | undefined;
  child.stdout.on('data', (chunk) => {
    output += chunk;
    if (logged === undefined && output.includes('GraphiQL')) logged = performance.now() - began;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let answered: number | undefined;
  while (answered === undefined) {
    if (exited) throw new Error(`server exited:\n${output}`);
    if (performance.now() - began > 120_000) throw new Error(`no answer within 120 s:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok && ((await response.json()) as any).data?.__typename === 'Query') {
        answered = performance.now() - began;
      }
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const seeded = output.includes('Demo studio seeded');
  const stopped = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await stopped;
  return { answered, logged: logged ?? NaN, seeded };
}

const samples: { case: string; answered: number; logged: number; seeded: boolean }[] = [];
let first: number | undefined;
for (let i = 0; i < args.runs; i++) {
  const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-cold-'));
  try {
    const empty = await start(path.join(dir, 'data'));
    first ??= empty.answered;
    samples.push({ case: 'empty database (migrate + demo seed)', ...empty });
    const existing = await start(path.join(dir, 'data'));
    samples.push({ case: 'existing database', ...existing });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = ['empty database (migrate + demo seed)', 'existing database'].map((name) => {
  const runs = samples.filter((s) => s.case === name);
  // The very first start also fills tsx's transform cache: leave it out of the median when we can.
  const warm = name.startsWith('empty') && runs.length > 1 ? runs.slice(1) : runs;
  const sorted = warm.map((s) => s.answered).sort((a, b) => a - b);
  return {
    case: name,
    runs: warm.length,
    'to first answer, median ms': Math.round(sorted[Math.floor(sorted.length / 2)]),
    'min ms': Math.round(sorted[0]),
    'max ms': Math.round(sorted.at(-1)!),
    'to "running" log line, median ms': Math.round(
      warm.map((s) => s.logged).sort((a, b) => a - b)[Math.floor(warm.length / 2)],
    ),
    'demo seeded': runs.every((s) => s.seeded) ? 'yes' : runs.some((s) => s.seeded) ? 'some' : 'no',
  };
});
/** Where the time goes: each phase of a start, timed in this process. */
async function phases() {
  const spawnOnly = async (code: string) => {
    const began = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: ROOT,
        stdio: 'ignore',
      });
      child.once('exit', (c) => (c === 0 ? resolve() : reject(new Error(`exit ${c}`))));
    });
    return performance.now() - began;
  };
  const out: Record<string, number> = {};
  out['node + tsx, no app code'] = await spawnOnly('process.exit(0)');
  out['node + tsx + import server/app.ts'] = await spawnOnly("await import('./server/app.ts'); process.exit(0)");
  const dir = await mkdtemp(path.join(tmpdir(), 'punchcard-phases-'));
  try {
    let t = performance.now();
    let pglite = await PGlite.create({ dataDir: dir });
    out['PGlite: create an empty data directory (initdb)'] = performance.now() - t;
    t = performance.now();
    await applyMigrations({ kind: 'pglite', pglite });
    out['apply all migrations'] = performance.now() - t;
    const db = await openDatabase({ pglite, migrate: false });
    t = performance.now();
    await seedDemo({ prisma: db.prisma, now: () => new Date() });
    out['seed the demo studio'] = performance.now() - t;
    t = performance.now();
    await db.close();
    out['close (checkpoint)'] = performance.now() - t;
    t = performance.now();
    pglite = await PGlite.create({ dataDir: dir });
    out['PGlite: open an existing data directory'] = performance.now() - t;
    t = performance.now();
    await applyMigrations({ kind: 'pglite', pglite });
    out['check migrations (none pending)'] = performance.now() - t;
    await pglite.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return Object.entries(out).map(([phase, ms]) => ({ phase, ms: Math.round(ms) }));
}

const breakdown = await phases();
printTable('Cold start: spawn `node --import tsx server/main.ts` → first answered request', rows);
console.log(`(the first start of this run, with tsx's cache possibly cold: ${round(first ?? NaN)} ms)`);
printTable('Cold start phases, timed one by one', breakdown);
writeJson(args.json, { bench: 'cold-start', at: new Date().toISOString(), args, rows, phases: breakdown, samples });
process.exit(0);
