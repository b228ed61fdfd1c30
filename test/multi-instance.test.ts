import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../server/db/test-db.ts';
import { ERR } from './helpers.ts';
import { freePort, ServerProcess } from './support/processes.ts';
import { redisReachable, TEST_REDIS_URL } from './support/redis.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

/**
 * Two server processes on one PostgreSQL and one Redis, as in docker-compose.yml. Redis is
 * reached through a proxy the test can cut, to take it "down" mid-stream.
 */

const redisUp = await redisReachable();
const pg: PostgresTestDatabase | null = redisUp ? await createPostgresTestDatabase({ migrate: true }) : null;
if (!pg || !redisUp)
  console.warn(
    `SKIPPED: multi-instance test — needs PostgreSQL and Redis (${redisUp ? 'PostgreSQL' : 'Redis'} unreachable).`,
  );

let proxy: TcpProxy;
const servers: { process: ServerProcess; url: string }[] = [];

beforeAll(async () => {
  if (!pg) return;
  const url = new URL(TEST_REDIS_URL);
  proxy = new TcpProxy(url.hostname, Number(url.port || 6379));
  const proxyPort = await proxy.listen();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const process = new ServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: pg.url,
      REDIS_URL: `redis://127.0.0.1:${proxyPort}`,
      DEMO: 'never',
      LOG_LEVEL: 'info',
    });
    await process.waitFor(/GraphiQL: ([^\s"]+)/);
    servers.push({ process, url: `http://127.0.0.1:${port}/graphql` });
  }
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.process.stop()));
  await proxy?.close();
  await pg?.drop();
});

async function gql(server: number, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(servers[server].url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: Record<string, any>; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return Object.values(body.data)[0];
}

function watch(server: number, token: string, query: string, variables: Record<string, unknown>) {
  const received: any[] = [];
  const client = createClient({
    url: servers[server].url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const stop = client.subscribe(
    { query, variables },
    {
      next: (v) => received.push(Object.values(v.data ?? {})[0]),
      error: (e) => received.push({ error: e }),
      complete: () => {},
    },
  );
  return {
    received,
    close: async () => {
      stop();
      await client.dispose();
    },
  };
}

async function until(check: () => boolean, what: string, ms: number) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it.skipIf(!pg)(
  'a change on one instance reaches subscribers on the other, and nothing is lost while Redis is down',
  async () => {
    const owner = await gql(
      0,
      `mutation { signUp(teamName: "Two", name: "O", email: "o@example.com", password: "long enough") { ... on LoginPayload { token } ${ERR} } }`,
    );
    const token = owner.token as string;
    const client = await gql(0, `mutation { createClient(input: { name: "C" }) { ... on Client { id } } }`, {}, token);
    await gql(
      0,
      `mutation($c: ID!) { createPackage(input: { clientId: $c, name: "P", credits: 100 }) { __typename } }`,
      { c: client.id },
      token,
    );

    const EVENTS = 'subscription($after: Int) { ledgerEvents(after: $after) { sequence entry { balanceAfter } } }';
    const onB = watch(1, token, EVENTS, { after: 1 });
    const onA = watch(0, token, EVENTS, { after: 1 });
    const balanceOnB = watch(
      1,
      token,
      'subscription($c: ID!) { balanceChanged(clientId: $c) { totalRemainingCredits } }',
      { c: client.id },
    );
    await until(() => balanceOnB.received.length === 1, 'the initial balance on B', 5_000);

    const LOG = `mutation($c: ID!) { logSession(input: { clientId: $c, status: COMPLETED }) { __typename ... on SessionPayload { balance } } }`;
    await gql(0, LOG, { c: client.id }, token);
    // Well under the 5 s poll: the hint crossed instances through Redis.
    await until(() => onB.received.length === 1, 'the first event on B', 2_500);

    proxy.cut(); // Redis down for both instances, mid-stream
    for (let i = 0; i < 10; i++) await gql(i % 2, LOG, { c: client.id }, token);
    await until(() => onB.received.length === 11 && onA.received.length === 11, 'events while Redis is down', 15_000);
    proxy.restore();
    for (let i = 0; i < 10; i++) await gql(i % 2, LOG, { c: client.id }, token);
    await until(() => onB.received.length === 21 && onA.received.length === 21, 'events after Redis is back', 15_000);
    await until(() => balanceOnB.received.at(-1)?.totalRemainingCredits === 79, 'the final balance on B', 10_000);

    for (const watcher of [onA, onB]) {
      // Every event exactly once, in order, with the right running balance.
      expect(watcher.received.map((e) => e.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 2));
      expect(watcher.received.at(-1).entry.balanceAfter).toBe(79);
    }
    await Promise.all([onA.close(), onB.close(), balanceOnB.close()]);
  },
  240_000,
);
