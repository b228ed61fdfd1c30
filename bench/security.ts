import { createTestDatabase } from '../server/db/test-db.ts';
import { startInProcess } from '../test/support/in-process.ts';

/**
 * What an attacker without a login can cost the server, on the real server over loopback
 * (PGlite in this process):
 *
 * 1. One `nodes(ids:)` request with 60,000 IDs in variables: wall time, and memory still held
 *    after a GC (run with --expose-gc for that number).
 * 2. A password spray: 64 requests in flight at once, each a wrong password for another email,
 *    from one address, for `--seconds`; meanwhile a teammate's cheap query runs in a loop.
 *    Reports spray answers per second (by outcome) and the teammate's latency.
 *
 *   node --expose-gc --import tsx bench/security.ts --seconds 10
 */
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 10;
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => Math.round(bytes / 1048576);

const db = await createTestDatabase();
const server = await startInProcess(db);
const post = async (body: unknown, token?: string) => {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
};

// 1. A refused 60,000-ID nodes request.
const ids = Array.from({ length: 60_000 }, (_, i) =>
  Buffer.from(`Client:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).toString('base64'),
);
gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
const began = performance.now();
const refused = await post({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids } });
const nodesMs = Math.round(performance.now() - began);
gc?.();
const nodesOutcome = refused.errors?.[0]?.extensions?.code ?? (refused.data ? 'answered' : 'error');
console.log(
  `nodes(ids: 60,000) anonymous: ${nodesOutcome} in ${nodesMs} ms; held after GC: heap ${mb(process.memoryUsage().heapUsed - heapBefore)} MB, rss ${mb(process.memoryUsage().rss - rssBefore)} MB`,
);

// 2. A 64-parallel password spray, and a teammate working meanwhile.
const signUp = await post({
  query: `mutation { signUp(teamName: "Bench", name: "B", email: "bench-owner@example.com", password: "correct horse battery") { ... on LoginPayload { token } ... on Error { code message } } }`,
});
const token: string = signUp.data.signUp.token;
const outcomes = new Map<string, number>();
const teammate: number[] = [];
const end = performance.now() + seconds * 1000;
let n = 0;
async function sprayer() {
  while (performance.now() < end) {
    const result = await post({
      query: `mutation($e: String!) { logIn(email: $e, password: "Summer2026!") { __typename } }`,
      variables: { e: `sprayed-${n++}@example.com` },
    });
    const outcome = result.data?.logIn?.__typename ?? result.errors?.[0]?.extensions?.code ?? 'error';
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
}
async function work() {
  while (performance.now() < end) {
    const t0 = performance.now();
    await post({ query: '{ team { name } }' }, token);
    teammate.push(performance.now() - t0);
  }
}
await Promise.all([...Array.from({ length: 64 }, sprayer), work()]);
teammate.sort((a, b) => a - b);
const pct = (p: number) => Math.round(teammate[Math.min(teammate.length - 1, Math.floor(p * teammate.length))]);
const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
console.log(
  `spray, 64 in flight for ${seconds} s: ${Math.round(total / seconds)} answers/s (${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}); teammate's query p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, ${teammate.length} done`,
);
await server.stop();
await db.close();
