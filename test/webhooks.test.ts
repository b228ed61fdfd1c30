import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/db/index.ts';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import { createTestApp, ERR, studio, type TestApp } from './helpers.ts';

/** A real HTTP receiver on loopback that checks every signature and can be taken down. */
class Receiver {
  server: Server;
  received: { sequence: number; type: string; eventId: string; body: any }[] = [];
  badSignatures = 0;
  up = true;
  url = '';

  constructor(private readonly secret: () => string) {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        if (!this.up) {
          res.writeHead(503).end();
          return;
        }
        const header = String(req.headers['punchcard-signature']);
        const [, t, v1] = header.match(/^t=(\d+),v1=([0-9a-f]{64})$/) ?? [];
        const expected = createHmac('sha256', this.secret()).update(`${t}.${raw}`).digest('hex');
        if (v1 !== expected) {
          this.badSignatures++;
          res.writeHead(400).end();
          return;
        }
        const body = JSON.parse(raw);
        this.received.push({
          sequence: body.sequence,
          type: body.type,
          eventId: String(req.headers['punchcard-event-id']),
          body,
        });
        res.writeHead(204).end();
      });
    });
  }

  async listen() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close() {
    return new Promise((r) => this.server.close(r));
  }
}

async function until(check: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const CREATE = `mutation($url: String!, $events: [WebhookEvent!]) { createWebhookEndpoint(url: $url, events: $events) {
  __typename ... on CreatedWebhookEndpoint { secret endpoint { id cursor } } ... on InvalidInput { field } ${ERR} } }`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('webhooks', () => {
  it('delivers every event once, in order, signed, through a receiver outage', async () => {
    const s = await studio(t);
    let secret = '';
    const receiver = new Receiver(() => secret);
    await receiver.listen();
    const created = await s.call(CREATE, { url: receiver.url });
    secret = created.secret;
    expect(secret).toMatch(/^whsec_/);
    const clientId = await s.client();
    await s.package(clientId, { credits: 10 });
    await s.log(clientId);
    await s.log(await s.client('Direct', 'NONE'));
    await t.app.webhooks.runOnce();
    expect(receiver.received.map((r) => r.type)).toEqual(['ledger.issued', 'ledger.used', 'session.logged']);
    expect(receiver.received[1].body).toMatchObject({ clientId, data: { event: 'USED', amount: -1, balanceAfter: 9 } });

    receiver.up = false; // outage: deliveries fail and back off
    await s.log(clientId);
    await s.log(clientId);
    await t.app.webhooks.runOnce();
    const log = await s.call(
      `query { webhookEndpoints { cursor deliveries(last: 5) { sequence status attempts lastError } } }`,
    );
    expect(log[0].deliveries[0]).toMatchObject({ status: 'FAILED', attempts: 1, lastError: 'HTTP 503' });
    await t.app.webhooks.runOnce(); // not due yet: no new attempt
    expect(
      (await s.call(`query { webhookEndpoints { deliveries(last: 1) { attempts } } }`))[0].deliveries[0].attempts,
    ).toBe(1);

    receiver.up = true;
    t.clock.advance(3_000); // past the first backoff (2 s)
    await t.app.webhooks.runOnce();
    const sequences = receiver.received.map((r) => r.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(5);
    expect(receiver.received.map((r) => r.type).slice(3)).toEqual(['ledger.used', 'ledger.used']);
    expect(receiver.badSignatures).toBe(0);
    const after = await s.call(`query { webhookEndpoints { cursor deliveries(last: 10) { status } } }`);
    expect(after[0].deliveries.every((d: { status: string }) => d.status === 'DELIVERED')).toBe(true);
    await receiver.close();
  });

  it('filters by event, and replays from a cursor', async () => {
    const s = await studio(t);
    let secret = '';
    const receiver = new Receiver(() => secret);
    await receiver.listen();
    const created = await s.call(CREATE, { url: receiver.url, events: ['USED'] });
    secret = created.secret;
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
    expect(receiver.received[2].eventId).toBe(receiver.received[0].eventId);
    await receiver.close();
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

const postgres = await createPostgresTestDatabase();
if (!postgres)
  console.warn('SKIPPED: webhooks with two instances on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
afterAll(() => postgres?.drop());

describe.skipIf(!postgres)('webhooks with two server instances', () => {
  it('sends each event exactly once while both instances deliver', async () => {
    // Two apps, each with its own connection pool on one database: two instances.
    const dbA = await openDatabase({ databaseUrl: postgres!.url });
    const dbB = await openDatabase({ databaseUrl: postgres!.url });
    const a = await createTestApp({ db: dbA });
    const b = await createTestApp({ db: dbB, clock: a.clock });
    try {
      const s = await studio(a);
      let secret = '';
      const receiver = new Receiver(() => secret);
      await receiver.listen();
      secret = (await s.call(CREATE, { url: receiver.url })).secret;
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
