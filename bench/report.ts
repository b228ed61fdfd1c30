import { writeFileSync } from 'node:fs';

/** `--name value` flags over numeric defaults, plus an optional `--json <file>`. */
export function parseArgs<T extends Record<string, number>>(defaults: T): T & { json?: string } {
  const out: Record<string, number | string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (key === 'json') out.json = value;
    else if (key in defaults) out[key] = Number(value);
    else throw new Error(`unknown flag --${key} (known: ${Object.keys(defaults).join(', ')}, json)`);
    i++;
  }
  return out as T & { json?: string };
}

export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted.at(-1) ?? NaN) };
}

export const round = (n: number) => Math.round(n * 10) / 10;

export function printTable(title: string, rows: Record<string, unknown>[]) {
  console.log(`\n${title}`);
  console.table(rows);
}

export function writeJson(path: string | undefined, data: unknown) {
  if (path) writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
