import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import { enqueueMail } from '../server/mail/outbox.ts';
import { createTestApp, ERR, studio, type TestApp } from './helpers.ts';
import { capturedLogger } from './support/log.ts';

// Logs, health and metrics, seen the way an operator sees them: a real server on a loopback
// port, its log lines as JSON, GET /healthz, /readyz and /metrics over HTTP.

/** Reads one sample of a metric from Prometheus text: `name{a="b"} 3` → 3 (undefined if absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = line.match(/^([a-z_:]+)(?:\{(.*)\})? (\S+)$/);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const METRICS_TOKEN = 'scrape-me-0123456789abcdef';

describe('a running server', () => {
  let t: TestApp;
  let base: string;
  const log = capturedLogger();

  beforeAll(async () => {
    // Loopback webhook endpoints allowed: no DNS here, and nothing is delivered to it anyway.
    t = await createTestApp({ env: { METRICS_TOKEN, WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' }, logger: log.logger });
    const { port } = await t.app.start();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => t.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const metrics = async () => {
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', redis: 'not configured' },
    });
  });

  it('/readyz says 503 and which migration is missing when one is not applied', async () => {
    const [last] = await t.db.prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT "migration_name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`;
    await t.db.prisma
      .$executeRaw`UPDATE "_prisma_migrations" SET "finished_at" = NULL WHERE "migration_name" = ${last.migration_name}`;
    try {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'not ready',
        checks: { database: 'ok', migrations: `pending: ${last.migration_name}`, redis: 'not configured' },
      });
    } finally {
      await t.db.prisma
        .$executeRaw`UPDATE "_prisma_migrations" SET "finished_at" = now() WHERE "migration_name" = ${last.migration_name}`;
    }
  });

  it('/metrics wants the token when METRICS_TOKEN is set', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect(await metrics()).toContain('# TYPE punchcard_graphql_operations_total counter');
  });

  it('logs every operation as one JSON line: request id, team, operation, outcome, duration', async () => {
    const s = await studio(t);
    const clientId = await s.client('Lena Log');
    await s.package(clientId, { credits: 1 });
    log.text.length = 0;

    const ok = await post(
      {
        query: `mutation LogIt($input: LogSessionInput!) { logSession(input: $input) { __typename } }`,
        operationName: 'LogIt',
        variables: { input: { clientId, status: 'COMPLETED' } },
      },
      { authorization: `Bearer ${s.token}`, 'x-request-id': 'req-from-the-proxy-1' },
    );
    expect(ok.headers.get('x-request-id')).toBe('req-from-the-proxy-1');
    expect((await ok.json()).data.logSession.__typename).toBe('SessionPayload');

    // The package is used up: the same call is refused with a typed result, not an error.
    const refused = await post(
      {
        query: `mutation($input: LogSessionInput!) { logSession(input: $input) { __typename ${ERR} } }`,
        variables: { input: { clientId, status: 'COMPLETED' } },
      },
      { authorization: `Bearer ${s.token}` },
    );
    expect((await refused.json()).data.logSession.__typename).toBe('InsufficientCredits');
    const generatedId = refused.headers.get('x-request-id');
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);

    const invalid = await post({ query: '{ clients { nope } }' }, { authorization: `Bearer ${s.token}` });
    expect((await invalid.json()).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const anonymous = await post({ query: '{ clients { edges { node { id } } } }' });
    expect((await anonymous.json()).errors[0].extensions.code).toBe('Unauthenticated');

    const lines = log.lines().filter((l) => l.msg?.startsWith('graphql operation'));
    const teamId = Buffer.from(s.teamId, 'base64').toString().split(':')[1];
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'punchcard',
      requestId: 'req-from-the-proxy-1',
      teamId,
      operationName: 'LogIt',
      operation: 'mutation.logSession',
      transport: 'http',
      outcome: 'ok',
      status: 200,
      msg: 'graphql operation',
    });
    expect(lines[0].durationMs).toBeGreaterThan(0);
    expect(new Date(lines[0].time).toISOString()).toBe(lines[0].time);
    expect(lines[1]).toMatchObject({
      level: 'info',
      requestId: generatedId,
      teamId,
      operation: 'mutation.logSession',
      outcome: 'refused',
      codes: ['InsufficientCredits'],
      msg: 'graphql operation refused',
    });
    expect(lines[2]).toMatchObject({
      level: 'info',
      operation: 'query.clients',
      outcome: 'refused',
      codes: ['GRAPHQL_VALIDATION_FAILED'],
    });
    expect(lines[3]).toMatchObject({
      level: 'info',
      operation: 'query.clients',
      outcome: 'refused',
      codes: ['Unauthenticated'],
    });
    // Refusals are the caller's doing: no stack traces for them, and nothing above info.
    expect(log.lines().filter((l) => l.err || l.level === 'error' || l.level === 'warn')).toEqual([]);

    const text = await metrics();
    expect(
      sample(text, 'punchcard_graphql_operations_total', { operation: 'mutation.logSession', outcome: 'ok' }),
    ).toBe(1);
    expect(
      sample(text, 'punchcard_graphql_operations_total', { operation: 'mutation.logSession', outcome: 'refused' }),
    ).toBe(1);
    expect(
      sample(text, 'punchcard_graphql_operation_duration_seconds_count', {
        operation: 'mutation.logSession',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(sample(text, 'punchcard_ledger_entries_written_total', { event: 'USED' })).toBe(1);
    expect(sample(text, 'punchcard_ledger_entries_written_total', { event: 'ISSUED' })).toBeGreaterThanOrEqual(1);
  });

  it('counts open subscriptions by transport and the event hub lag', async () => {
    const s = await studio(t);
    const clientId = await s.client('Sam Stream');
    const query = `subscription { ledgerEvents { sequence } }`;
    const controller = new AbortController();
    const sse = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${s.token}` },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    const ws = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${s.token}` },
      retryAttempts: 0,
    });
    const received: unknown[] = [];
    const stop = ws.subscribe({ query }, { next: (v) => received.push(v), error: () => {}, complete: () => {} });
    const open = async (transport: string) =>
      sample(await metrics(), 'punchcard_subscriptions_open', { transport }) ?? 0;
    await until(async () => (await open('sse')) === 1 && (await open('ws')) === 1, 'both subscriptions to open');

    const lagBefore = sample(await metrics(), 'punchcard_event_hub_lag_seconds_count') ?? 0;
    await s.package(clientId, { credits: 3 });
    await until(() => received.length === 1, 'the event over graphql-ws');
    const text = await metrics();
    expect(sample(text, 'punchcard_event_hub_lag_seconds_count')).toBeGreaterThan(lagBefore);

    stop();
    await ws.dispose();
    controller.abort();
    await sse.body?.cancel().catch(() => {});
    await until(async () => (await open('sse')) === 0 && (await open('ws')) === 0, 'both subscriptions to close');
    expect(
      log
        .lines()
        .filter((l) => l.msg === 'graphql subscription ended')
        .map((l) => l.transport),
    ).toEqual(expect.arrayContaining(['ws', 'sse']));
  });

  it('reads the mail outbox, webhook backlog and failures, and job runs', async () => {
    const s = await studio(t);
    const teamId = Buffer.from(s.teamId, 'base64').toString().split(':')[1];
    const before = await metrics();
    const mailPending = sample(before, 'punchcard_mail_outbox', { status: 'PENDING' }) ?? 0;
    const backlog = sample(before, 'punchcard_webhook_backlog_events') ?? 0;
    const failedDeliveries = sample(before, 'punchcard_webhook_deliveries', { status: 'FAILED' }) ?? 0;

    await t.app.jobs.runOnce(); // before the mail below, which it would send
    await enqueueMail(
      t.db.prisma,
      ['a', 'b'].map((k) => ({ teamId, dedupeKey: `metrics:${k}`, to: ['x@example.com'], subject: k, text: k })),
      new Date(),
    );
    // Nothing delivers from here on, so the backlog and the failure below are exactly ours.
    await t.app.webhooks.stop();
    const hook = await s.call(
      `mutation { createWebhookEndpoint(url: "http://127.0.0.1:9/hook") { __typename ... on CreatedWebhookEndpoint { endpoint { id } } ${ERR} } }`,
    );
    expect(hook.__typename).toBe('CreatedWebhookEndpoint');
    const clientId = await s.client('Wendy Webhook');
    await s.package(clientId, { credits: 2 });
    const endpointId = Buffer.from(hook.endpoint.id, 'base64').toString().split(':')[1];
    await t.db.prisma.webhookDelivery.create({
      data: { endpointId, sequence: 999_999, status: 'FAILED', attempts: 3, lastError: 'HTTP 500' },
    });

    const after = await metrics();
    expect(sample(after, 'punchcard_mail_outbox', { status: 'PENDING' })).toBe(mailPending + 2);
    expect(sample(after, 'punchcard_mail_outbox', { status: 'FAILED' })).toBe(0);
    expect(sample(after, 'punchcard_webhook_backlog_events')).toBeGreaterThanOrEqual(backlog + 1);
    expect(sample(after, 'punchcard_webhook_deliveries', { status: 'FAILED' })).toBe(failedDeliveries + 1);
    expect(sample(after, 'punchcard_job_runs_total', { job: 'expire-packages', outcome: 'ok' })).toBe(1);
    expect(sample(after, 'punchcard_job_duration_seconds_count', { job: 'send-mail' })).toBe(1);
    expect(sample(after, 'punchcard_metrics_database_up')).toBe(1);
    expect(sample(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });
});

describe('failures', () => {
  it('logs an unexpected error at error with its stack, and /readyz says the database is unreachable', async () => {
    const log = capturedLogger();
    const t = await createTestApp({ logger: log.logger });
    const { port } = await t.app.start();
    const s = await studio(t);
    try {
      await t.db.pglite?.close(); // the database goes away under the running server
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ query: 'query Clients { clients { edges { node { id } } } }' }),
      });
      expect((await response.json()).errors[0].message).toBe('Unexpected error.');
      const failed = log.lines().find((l) => l.operationName === 'Clients');
      expect(failed).toMatchObject({ level: 'error', outcome: 'error', msg: 'graphql operation failed' });
      expect(failed?.err).toMatchObject({ message: 'PGlite is closed', stack: expect.stringMatching(/\n\s+at /) });
      // Once, on the operation's line (yoga's own report of it is folded in).
      expect(log.lines().filter((l) => l.level === 'error')).toHaveLength(1);

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const body = await ready.json();
      expect(body.status).toBe('not ready');
      expect(body.checks.database).toMatch(/^unreachable: /);
      expect(body.checks.migrations).toBe('unknown (database unreachable)');
      // The background work reports the outage through the same logger.
      await until(
        () => log.lines().some((l) => l.component === 'webhooks' && l.level === 'warn' && l.err),
        'the webhook dispatcher to report that it cannot read the database',
      );
      // /metrics still answers, and says its database figures are not current.
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(sample(text, 'punchcard_metrics_database_up')).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('/readyz says 503 when the configured Redis is unreachable', async () => {
    const t = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const { port } = await t.app.start();
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const body = await ready.json();
      expect(body.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
      expect(body.checks.redis).toMatch(/^unreachable: /);
    } finally {
      await t.close();
    }
  });
});

describe('on PostgreSQL', async () => {
  const postgres = await createPostgresTestDatabase();
  it.skipIf(!postgres)('reports the connection pool', async () => {
    const t = await createTestApp({ db: postgres! });
    try {
      const { port } = await t.app.start();
      await studio(t);
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(sample(text, 'punchcard_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'punchcard_db_pool_connections', { state: 'waiting' })).toBe(0);
      expect(sample(text, 'punchcard_db_pool_max')).toBe(10);
    } finally {
      await t.close();
      await postgres!.drop();
    }
  });
});

describe('the logger', () => {
  it('leaves out what is below LOG_LEVEL', () => {
    const log = capturedLogger('warn');
    log.logger.info('not shown');
    log.logger.warn({ mailId: 'm1' }, 'shown');
    expect(log.lines()).toEqual([expect.objectContaining({ level: 'warn', mailId: 'm1', msg: 'shown' })]);
  });

  it('writes readable lines with LOG_FORMAT=pretty', () => {
    const log = capturedLogger('info', 'pretty');
    log.logger.info({ requestId: 'r-1' }, 'graphql operation');
    const text = log.text.join('');
    expect(text).toMatch(/INFO.*graphql operation/);
    expect(text).toContain('requestId: "r-1"');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('refuses a bad LOG_FORMAT or a short METRICS_TOKEN', () => {
    expect(loadConfig({})).toMatchObject({ logFormat: 'auto', metricsToken: undefined });
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/^METRICS_TOKEN: /);
    expect(loadConfig({ METRICS_TOKEN })).toMatchObject({ metricsToken: METRICS_TOKEN });
  });
});
