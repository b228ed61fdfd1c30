import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { markdownTable, parseArgs } from './report.ts';
import { machine } from './support.ts';

/**
 * `npm run bench`: every benchmark, one after the other, each in a process of its own (so one's
 * memory and event loop never measure another's), each printing its tables and writing JSON into
 * bench/out/. At the end, one Markdown file with every table (bench/out/results.md), ready to
 * paste into bench/RESULTS.md.
 *
 *   npm run bench                              # all of them, default sizes
 *   npm run bench -- --only hot,reads          # some of them
 *   npm run bench -- --fanout 1000,5000 --fanoutLimitS 600
 *   npm run bench -- --renderOnly 1            # just rebuild results.md from the JSON already in bench/out/
 */
const args = parseArgs({
  only: 'hot,spread,reads,fanout,idle,cold',
  fanout: '1000,5000',
  fanoutLimitS: 600,
  limitS: 900,
  out: 'bench/out',
  renderOnly: 0,
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const only = new Set(args.only.split(','));
mkdirSync(args.out, { recursive: true });

interface Run {
  name: string;
  file: string;
  flags: string[];
  gc?: boolean;
  limitS?: number;
}
const runs: Run[] = [];
if (only.has('hot')) runs.push({ name: 'hot-account', file: 'hot-account.ts', flags: [] });
if (only.has('spread')) runs.push({ name: 'spread', file: 'spread.ts', flags: [] });
if (only.has('reads')) runs.push({ name: 'reads', file: 'reads.ts', flags: [] });
if (only.has('fanout')) {
  for (const n of args.fanout.split(',')) {
    runs.push({
      name: `fanout-${n}`,
      file: 'fanout.ts',
      flags: ['--subscribers', n, '--mutations', '200'],
      gc: true,
      limitS: args.fanoutLimitS,
    });
  }
}
if (only.has('idle')) runs.push({ name: 'idle-subscribers', file: 'idle-subscribers.ts', flags: [] });
if (only.has('cold')) runs.push({ name: 'cold-start', file: 'cold-start.ts', flags: [] });

const outcomes: { name: string; status: string; seconds: number }[] = [];
for (const run of args.renderOnly ? [] : runs) {
  const json = `${args.out}/${run.name}.json`;
  const nodeArgs = [
    ...(run.gc ? ['--expose-gc'] : []),
    '--import',
    'tsx',
    `bench/${run.file}`,
    ...run.flags,
    '--json',
    json,
  ];
  console.log(`\n=== ${run.name}: node ${nodeArgs.join(' ')}`);
  const began = Date.now();
  const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: 'inherit' });
  const limit = setTimeout(() => child.kill('SIGKILL'), (run.limitS ?? args.limitS) * 1000);
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (c, s) => resolve({ code: c, signal: s })),
  );
  clearTimeout(limit);
  const seconds = Math.round((Date.now() - began) / 1000);
  const status =
    signal === 'SIGKILL'
      ? `did not finish within ${run.limitS ?? args.limitS} s (killed)`
      : code === 0
        ? 'ok'
        : `exit ${code} (a check failed: see its output)`;
  if (status !== 'ok' && !existsSync(json))
    writeFileSync(json, `${JSON.stringify({ bench: run.name, status }, null, 2)}\n`);
  outcomes.push({ name: run.name, status, seconds });
}

// One Markdown page of every table.
const m = await machine();
const lines = [
  `Run at ${new Date().toISOString()} on ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
  '',
  ...(outcomes.length ? [markdownTable(outcomes)] : []),
];
for (const run of runs) {
  const file = `${args.out}/${run.name}.json`;
  if (!existsSync(file)) continue;
  const data = JSON.parse(readFileSync(file, 'utf8'));
  lines.push(`### ${run.name}`, '');
  if (data.status) lines.push(`_${data.status}_`, '');
  for (const key of ['rows', 'statements', 'phases'])
    if (Array.isArray(data[key])) lines.push(markdownTable(data[key]));
  if (data.result) lines.push(markdownTable([data.result]));
  if (data.skipped?.length) lines.push(`Skipped: ${data.skipped.join('; ')}`, '');
}
writeFileSync(`${args.out}/results.md`, `${lines.join('\n')}\n`);
console.log('\n=== summary');
console.table(outcomes);
console.log(`Tables in ${args.out}/results.md, JSON in ${args.out}/*.json`);
process.exit(outcomes.every((o) => o.status === 'ok') ? 0 : 1);
