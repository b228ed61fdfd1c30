import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/index.ts';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import { RETRY_WINDOW_MS, retryDelayMs } from '../server/webhooks/dispatcher.ts';
import type { Lookup } from '../server/webhooks/transport.ts';
import { createTestApp, ERR, HOUR, studio, type TestApp } from './helpers.ts';

const ALLOW_PRIVATE = { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' };

/**
 * A real HTTP receiver on loopback that verifies every delivery with the Standard Webhooks
 * library, as a customer's receiver would. `respond` decides each answer (or holds it).
 */
class Receiver {
  server: Server;
  received: { sequence: number; type: string; webhookId: string; body: any; headers: IncomingHttpHeaders }[] = [];
  badSignatures = 0;
  /** Requests that arrived and have no answer yet. */
  open = 0;
  /** The endpoint's `whsec_` secret, as the receiver's owner keeps it. */
  secret = '';
  respond: (body: any, res: ServerResponse) => void = (_body, res) => res.writeHead(204).end();
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        let body: any;
        try {
          body = new Webhook(this.secret).verify(raw, req.headers as Record<string, string>);
        } catch {
          this.badSignatures++;
          res.writeHead(400).end();
          return;
        }
        this.open++;
        res.on('close', () => this.open--);
        res.on('finish', () => {
          if (res.statusCode < 300) {
            const webhookId = String(req.headers['webhook-id']);
            this.received.push({ sequence: body.sequence, type: body.type, webhookId, body, headers: req.headers });
          }
        });
        this.respond(body, res);
      });
    });
  }

  get port() {
    return (this.server.address() as AddressInfo).port;
  }

  async listen() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${this.port}/hooks`;
    return this;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const CREATE = `mutation($url: String!, $events: [WebhookEvent!], $secret: String) {
  createWebhookEndpoint(url: $url, events: $events, secret: $secret) {
  __typename ... on CreatedWebhookEndpoint { secret endpoint { id cursor } } ... on InvalidInput { field } ${ERR} } }`;
const LOG = `query { webhookEndpoints { cursor deliveries(last: 10) { id sequence status attempts responseStatus lastError } } }`;
const REDELIVER = `mutation($id: ID!) { redeliverWebhookDelivery(id: $id) {
  __typename ... on WebhookDelivery { sequence status attempts responseStatus lastError } ${ERR} } }`;

/** A studio with an endpoint pointing at a fresh receiver that verifies with the endpoint's secret. */
async function hooked(t: TestApp, input: { events?: string[]; secret?: string } = {}) {
  const s = await studio(t);
  const receiver = await new Receiver().listen();
  const created = await s.call(CREATE, { url: receiver.url, ...input });
  if (created.__typename !== 'CreatedWebhookEndpoint') throw new Error(JSON.stringify(created));
  receiver.secret = created.secret;
  return { s, receiver, created };
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: ALLOW_PRIVATE });
});
afterAll(() => t.close());

describe('webhooks by the Standard Webhooks specification', () => {
  it('delivers every event once, in order, verifiable with the standardwebhooks library, through an outage', async () => {
    const { s, receiver, created } = await hooked(t);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/); // 32 random bytes
    const clientId = await s.client();
    await s.package(clientId, { credits: 10 });
    await s.log(clientId);
    await s.log(await s.client('Direct', 'NONE'));
    await t.app.webhooks.runOnce();
    expect(receiver.received.map((r) => r.type)).toEqual(['ledger.issued', 'ledger.used', 'session.logged']);
    expect(receiver.received[1].body).toMatchObject({ clientId, data: { event: 'USED', amount: -1, balanceAfter: 9 } });
    expect(receiver.received[1].headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(receiver.received[1].headers).not.toHaveProperty('punchcard-signature');

    receiver.respond = (_body, res) => res.writeHead(503).end(); // outage: deliveries fail and back off
    await s.log(clientId);
    await s.log(clientId);
    await t.app.webhooks.runOnce();
    const [log] = await s.call(LOG);
    expect(log.deliveries[0]).toMatchObject({ status: 'RETRYING', attempts: 1, lastError: 'HTTP 503' });
    await t.app.webhooks.runOnce(); // not due yet: no new attempt
    expect((await s.call(LOG))[0].deliveries[0].attempts).toBe(1);

    receiver.respond = (_body, res) => res.writeHead(204).end();
    t.clock.advance(retryDelayMs(1));
    await t.app.webhooks.runOnce();
    const sequences = receiver.received.map((r) => r.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(5);
    expect(receiver.received.map((r) => r.type).slice(3)).toEqual(['ledger.used', 'ledger.used']);
    expect(receiver.badSignatures).toBe(0);
    const [after] = await s.call(LOG);
    expect(after.deliveries.every((d: { status: string }) => d.status === 'DELIVERED')).toBe(true);
    await receiver.close();
  });

  it('signs with the endpoint’s own whsec_ secret, and refuses secrets that are not one', async () => {
    const own = `whsec_${randomBytes(24).toString('base64')}`;
    const { s, receiver, created } = await hooked(t, { secret: own });
    expect(created.secret).toBe(own);
    await s.package(await s.client(), { credits: 1 });
    await t.app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.badSignatures).toBe(0);
    await receiver.close();

    for (const secret of ['correct horse battery staple', `whsec_${randomBytes(8).toString('base64')}`, 'whsec_!!']) {
      const refused = await s.call(CREATE, { url: 'http://127.0.0.1:9/x', secret });
      expect(refused, secret).toMatchObject({ __typename: 'InvalidInput', field: 'secret' });
    }
    expect(await s.call(`query { webhookEndpoints { id } }`)).toHaveLength(1);
  });

  it('filters by event, and replays from a cursor with the same webhook-id', async () => {
    const { s, receiver, created } = await hooked(t, { events: ['USED'] });
    const clientId = await s.client();
    await s.package(clientId, { credits: 10 });
    await s.log(clientId);
    await s.log(clientId);
    await t.app.webhooks.runOnce();
    expect(receiver.received.map((r) => r.type)).toEqual(['ledger.used', 'ledger.used']);
    await s.call(
      `mutation($id: ID!) { replayWebhookEndpoint(id: $id, after: 0) { ... on WebhookEndpoint { cursor } } }`,
      { id: created.endpoint.id },
    );
    await t.app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(4);
    expect(receiver.received[2].webhookId).toBe(receiver.received[0].webhookId);
    await receiver.close();
  });

  it('retries for 72 hours, then gives up and disables the endpoint; an owner resumes it and redelivers by hand', async () => {
    const { s, receiver } = await hooked(t);
    const clientId = await s.client();
    receiver.respond = (body, res) => res.writeHead(body.type === 'ledger.issued' ? 500 : 204).end();
    await s.package(clientId, { credits: 5 }); // the event this receiver cannot take
    await s.log(clientId);
    await t.app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(0); // in order: the USED event waits behind the failing one

    // Each retry when it is due, for as long as the next one still falls inside the 72 hours.
    let waited = 0;
    for (;;) {
      const step = retryDelayMs((await s.call(LOG))[0].deliveries[0].attempts);
      if (waited + step >= RETRY_WINDOW_MS) break;
      t.clock.advance(step);
      waited += step;
      await t.app.webhooks.runOnce();
    }
    let [log] = await s.call(LOG);
    expect(waited).toBeGreaterThan(67 * HOUR);
    expect(log.deliveries[0]).toMatchObject({ status: 'RETRYING', attempts: 18, responseStatus: 500 });
    expect(receiver.received).toHaveLength(0); // still in order: nothing overtook it

    t.clock.advance(retryDelayMs(18)); // the 19th attempt, 73.6 hours after the event: the last
    await t.app.webhooks.runOnce();
    [log] = await s.call(LOG);
    const [issued] = log.deliveries;
    expect(issued).toMatchObject({ status: 'FAILED', attempts: 19, lastError: 'HTTP 500' });
    expect(log.deliveries).toHaveLength(1);
    const [endpoint] = await s.call(`query { webhookEndpoints { id enabled } }`);
    expect(endpoint.enabled).toBe(false); // nothing more piles up behind it
    t.clock.advance(HOUR);
    await t.app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(0);

    // The receiver is fixed: the owner enables the endpoint (it goes on after the given-up
    // event) and sends the given-up event again by hand. Nobody else can.
    receiver.respond = (_body, res) => res.writeHead(204).end();
    await s.call(`mutation($id: ID!) { setWebhookEndpointEnabled(id: $id, enabled: true) { __typename } }`, {
      id: endpoint.id,
    });
    await t.app.webhooks.runOnce();
    expect(receiver.received.map((r) => r.type)).toEqual(['ledger.used']);
    const outsider = await studio(t);
    expect(await outsider.call(REDELIVER, { id: issued.id })).toMatchObject({ __typename: 'NotFound' });
    const NODE = `query($id: ID!) { node(id: $id) { ... on WebhookDelivery { sequence status } } }`;
    expect(await outsider.call(NODE, { id: issued.id })).toBeNull();
    expect(await s.call(NODE, { id: issued.id })).toEqual({ sequence: issued.sequence, status: 'FAILED' });
    expect(receiver.received).toHaveLength(1);
    const redelivered = await s.call(REDELIVER, { id: issued.id });
    expect(redelivered).toMatchObject({
      __typename: 'WebhookDelivery',
      status: 'DELIVERED',
      attempts: 20,
      responseStatus: 204,
      lastError: null,
    });
    expect(receiver.received.map((r) => r.type)).toEqual(['ledger.used', 'ledger.issued']);
    expect(receiver.received[1].body.sequence).toBe(issued.sequence);

    // A replay is due afresh: a failure starts a new 72-hour window instead of giving up at once.
    receiver.respond = (_body, res) => res.writeHead(503).end();
    await s.call(`mutation($id: ID!) { replayWebhookEndpoint(id: $id, after: 0) { __typename } }`, { id: endpoint.id });
    await t.app.webhooks.runOnce();
    [log] = await s.call(LOG);
    expect(log.deliveries.map((d: { status: string }) => d.status)).toEqual(['PENDING', 'RETRYING']);
    expect((await s.call(`query { webhookEndpoints { enabled } }`))[0].enabled).toBe(true);
    await receiver.close();
  });

  it('keeps to the documented retry schedule (docs/API.md)', () => {
    const delays = Array.from({ length: 8 }, (_, i) => retryDelayMs(i + 1) / 1000);
    expect(delays).toEqual([5, 20, 80, 320, 1280, 5120, 20480, 21600]);
  });

  it('refuses bad endpoints and non-managers', async () => {
    const s = await studio(t);
    expect(await s.call(CREATE, { url: 'ftp://example.com' })).toMatchObject({
      __typename: 'InvalidInput',
      field: 'url',
    });
    const { createApiKey } = await t.ok(
      `mutation { createApiKey(name: "k", scope: READ_WRITE) { ... on CreatedApiKey { key } } }`,
      {},
      s.token,
    );
    const byKey = await t.ok(CREATE, { url: 'https://example.com/hook' }, createApiKey.key);
    expect(byKey.createWebhookEndpoint.__typename).toBe('Forbidden');
  });
});

describe('webhook addresses (SSRF)', () => {
  /** Plays DNS: names map to answers, which a test may change between registration and delivery. */
  const dns = new Map<string, string[]>([
    ['localhost', ['127.0.0.1', '::1']],
    ['internal.example', ['10.1.2.3']],
    ['mixed.example', ['93.184.215.14', '192.168.0.10']],
  ]);
  const lookups: string[] = [];
  const lookup: Lookup = async (hostname) => {
    lookups.push(hostname);
    const answers = dns.get(hostname);
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  let strict: TestApp;
  let owner: Awaited<ReturnType<typeof studio>>;
  beforeAll(async () => {
    strict = await createTestApp({ webhooks: { lookup } }); // the default policy: public addresses only
    owner = await studio(strict);
  });
  afterAll(() => strict.close());

  it.each([
    'http://127.0.0.1/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0177.0.0.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://localhost:4000/hook',
    'http://0.0.0.0/hook',
    'http://[::]/hook',
    'http://10.0.0.7/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://100.64.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://224.0.0.1/hook',
    'http://255.255.255.255/hook',
    'http://192.0.2.1/hook',
    'http://[64:ff9b::7f00:1]/hook',
    'http://[2002:7f00:1::]/hook',
    'http://internal.example/hook', // resolves to a private address
    'http://mixed.example/hook', // one public and one private answer
    'http://nowhere.example/hook', // does not resolve
  ])('refuses %s at registration, and stores nothing', async (url) => {
    const refused = await owner.call(CREATE, { url });
    expect(refused).toMatchObject({ __typename: 'InvalidInput', field: 'url' });
    expect(refused.message).toMatch(/^Webhooks go to public addresses: .*(not a public address|does not resolve)/);
    expect(await owner.call(`query { webhookEndpoints { id } }`)).toEqual([]);
  });

  it('checks again at every delivery: a name that now resolves to loopback gets no request', async () => {
    const receiver = await new Receiver().listen();
    dns.set('rebind.example', ['93.184.215.14']); // public when registered
    const s = await studio(strict);
    const created = await s.call(CREATE, { url: `http://rebind.example:${receiver.port}/hooks` });
    expect(created.__typename).toBe('CreatedWebhookEndpoint');
    receiver.secret = created.secret;
    dns.set('rebind.example', ['127.0.0.1']); // then rebound to the receiver on loopback
    await s.package(await s.client(), { credits: 3 });
    await strict.app.webhooks.runOnce();
    const [log] = await s.call(LOG);
    expect(log.deliveries[0]).toMatchObject({
      status: 'RETRYING',
      responseStatus: null,
      lastError: 'refused: rebind.example resolves to 127.0.0.1, which is not a public address (loopback).',
    });
    // By hand, too.
    const redelivered = await s.call(REDELIVER, { id: log.deliveries[0].id });
    expect(redelivered.lastError).toMatch(/^refused: rebind\.example resolves to 127\.0\.0\.1/);
    expect(receiver.received).toHaveLength(0);
    expect(receiver.badSignatures).toBe(0);
    await receiver.close();
  });

  it('connects to the address it checked, with the URL’s own host name', async () => {
    // Allowed private addresses, so a loopback receiver can answer; the name exists only in
    // the test's DNS, so a connection that looked the name up again itself would fail.
    const allowing = await createTestApp({ env: ALLOW_PRIVATE, webhooks: { lookup } });
    try {
      const receiver = await new Receiver().listen();
      dns.set('hooks.studio.example', ['127.0.0.1']);
      const s = await studio(allowing);
      receiver.secret = (await s.call(CREATE, { url: `http://hooks.studio.example:${receiver.port}/in` })).secret;
      lookups.length = 0;
      await s.package(await s.client(), { credits: 3 });
      await allowing.app.webhooks.runOnce();
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0].headers.host).toBe(`hooks.studio.example:${receiver.port}`);
      expect(lookups).toEqual(['hooks.studio.example']); // one resolution per attempt: the one checked
      await receiver.close();
    } finally {
      await allowing.close();
    }
  });
});

describe('one endpoint never holds back another', () => {
  it('a fast receiver gets its event while a slow receiver’s request is still open', async () => {
    const slow = await hooked(t);
    const fast = await hooked(t);
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    slow.receiver.respond = (_body, res) => {
      void released.then(() => res.writeHead(204).end());
    };
    // The slow studio's event goes out through the live path (commit → hint → dispatcher) and hangs.
    await slow.s.package(await slow.s.client(), { credits: 1 });
    await until(() => slow.receiver.open === 1, 'the slow receiver to hold a request');

    await fast.s.package(await fast.s.client(), { credits: 1 });
    try {
      await until(() => fast.receiver.received.length === 1, 'the fast receiver’s delivery');
      expect(slow.receiver.open).toBe(1); // still waiting: the fast one did not wait for it
      expect(slow.receiver.received).toHaveLength(0);
    } finally {
      release();
    }
    await until(() => slow.receiver.received.length === 1, 'the slow delivery to finish');
    await until(
      async () => (await slow.s.call(LOG))[0].deliveries[0]?.status === 'DELIVERED',
      'the slow delivery to be recorded',
    );
    await slow.receiver.close();
    await fast.receiver.close();
  });

  it('gives up an attempt after the send timeout and retries it later', async () => {
    const quick = await createTestApp({ env: { ...ALLOW_PRIVATE, WEBHOOK_TIMEOUT_MS: '300' } });
    try {
      const { s, receiver } = await hooked(quick);
      receiver.respond = () => {}; // never answers
      await s.package(await s.client(), { credits: 1 });
      await quick.app.webhooks.runOnce();
      const [log] = await s.call(LOG);
      expect(log.deliveries[0]).toMatchObject({ status: 'RETRYING', lastError: 'timed out after 300 ms' });
      await receiver.close();
    } finally {
      await quick.close();
    }
  });
});

describe('existing endpoints after the upgrade to Standard Webhooks', () => {
  it('keep their signing key: "whsec_" + base64 of the old secret verifies', async () => {
    const { s, receiver } = await hooked(t);
    const old = 'my own secret, from before (ünïcode too)';
    const endpoint = await t.db.prisma.webhookEndpoint.findFirstOrThrow({ where: { url: receiver.url } });
    await t.db.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { secret: old } });
    // The migration's own statement, on this one row.
    const sql = readFileSync(
      new URL('../prisma/migrations/20261201221614_standard_webhooks/migration.sql', import.meta.url),
      'utf8',
    );
    const update = sql.slice(sql.indexOf('UPDATE "WebhookEndpoint"')).trim().replace(/;$/, '');
    await t.db.prisma.$executeRawUnsafe(`${update} WHERE "id" = $1`, endpoint.id);

    receiver.secret = `whsec_${Buffer.from(old).toString('base64')}`; // derived by the receiver's owner
    await s.package(await s.client(), { credits: 1 });
    await t.app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.badSignatures).toBe(0);
    await receiver.close();
  });
});

const postgres = await createPostgresTestDatabase();
if (!postgres)
  console.warn('SKIPPED: webhooks with two instances on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
afterAll(() => postgres?.drop());

describe.skipIf(!postgres)('webhooks with two server instances', () => {
  it('sends each event exactly once while both instances deliver', async () => {
    // Two apps, each with its own connection pool on one database: two instances.
    const dbA = await openDatabase({ databaseUrl: postgres!.url });
    const dbB = await openDatabase({ databaseUrl: postgres!.url });
    const a = await createTestApp({ db: dbA, env: ALLOW_PRIVATE });
    const b = await createTestApp({ db: dbB, clock: a.clock, env: ALLOW_PRIVATE });
    try {
      const { s, receiver } = await hooked(a);
      const clientId = await s.client();
      await s.package(clientId, { credits: 50 });
      for (let i = 0; i < 20; i++) {
        await s.log(clientId);
        await Promise.all([
          a.app.webhooks.runOnce(),
          b.app.webhooks.runOnce(),
          a.app.webhooks.runOnce(),
          b.app.webhooks.runOnce(),
        ]);
      }
      await until(() => receiver.received.length >= 21, 'all deliveries');
      await Promise.all([a.app.webhooks.runOnce(), b.app.webhooks.runOnce()]);
      const sequences = receiver.received.map((r) => r.sequence);
      expect(sequences).toHaveLength(21);
      expect(new Set(sequences).size).toBe(21);
      expect(sequences).toEqual([...sequences].sort((x, y) => x - y));
      await receiver.close();
    } finally {
      await a.close();
      await b.close();
      await dbA.close();
      await dbB.close();
    }
  });
});
