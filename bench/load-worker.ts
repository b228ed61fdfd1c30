import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { type Scenario, scenarios, type VuContext } from './scenarios.ts';
import type { LoadResult } from './support.ts';

/** Some virtual users of one benchmark scenario, in a thread of their own (see runLoad). */
const { scenario, url, vus, params } = workerData as { scenario: string; url: string; vus: number[]; params: any };
const run: Scenario | undefined = scenarios[scenario];
if (!run) throw new Error(`unknown scenario ${scenario}`);

const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, vus.length) });
const latencies: Record<string, number[]> = {};
const outcomes: Record<string, Record<string, number>> = {};
const extra: unknown[] = [];

function post(body: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function count(op: string, outcome: string) {
  outcomes[op] ??= {};
  outcomes[op][outcome] = (outcomes[op][outcome] ?? 0) + 1;
}

async function gql(op: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const began = performance.now();
  let status = 0;
  let body: any;
  try {
    const response = await post(JSON.stringify({ query, variables }), token);
    status = response.status;
    body = JSON.parse(response.text);
  } catch (error) {
    count(op, `network: ${(error as Error).message}`);
    return null;
  } finally {
    latencies[op] ??= [];
    latencies[op].push(performance.now() - began);
  }
  if (status >= 500) count(op, `http ${status}`);
  else if (body.errors?.length) count(op, `error: ${body.errors[0].message}`);
  else {
    const first = body.data ? Object.values(body.data)[0] : undefined;
    const typename = first && typeof first === 'object' ? (first as { __typename?: string }).__typename : undefined;
    count(op, typename ?? 'ok');
  }
  return body?.data ? Object.values(body.data)[0] : null;
}

const shared: Record<string, unknown> = {};
const began = performance.now();
await Promise.all(
  vus.map((vu) => {
    const ctx: VuContext = { vu, params, shared, gql, report: (value) => extra.push(value) };
    return run(ctx);
  }),
);
const result: LoadResult = { elapsedMs: performance.now() - began, latencies, outcomes, extra };
agent.destroy();
parentPort!.postMessage(result);
