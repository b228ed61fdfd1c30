import { writeFileSync } from 'node:fs';

type Flag = number | string;
type Widen<T> = { [K in keyof T]: T[K] extends number ? number : string };

/**
 * `--name value` flags over defaults (a number default makes a numeric flag, a string default a
 * string one), plus an optional `--json <file>`.
 */
export function parseArgs<T extends Record<string, Flag>>(defaults: T): Widen<T> & { json?: string } {
  const out: Record<string, Flag> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`--${key} needs a value`);
    if (key === 'json') out.json = value;
    else if (key in defaults) {
      if (typeof defaults[key] === 'number') {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new Error(`--${key} expects a number, got "${value}"`);
        out[key] = n;
      } else out[key] = value;
    } else throw new Error(`unknown flag --${key} (known: ${Object.keys(defaults).join(', ')}, json)`);
    i++;
  }
  return out as Widen<T> & { json?: string };
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

/** The same rows as a Markdown table (for bench/RESULTS.md). */
export function markdownTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '_(no rows)_\n';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v).replace(/\|/g, '\\|'));
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map((c) => (rows.every((r) => typeof r[c] === 'number' || r[c] == null) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
    '',
  ].join('\n');
}
