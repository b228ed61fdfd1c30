import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ERR, studio, type TestApp } from './helpers.ts';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await createTestApp();
  url = (await t.app.start()).url;
});
afterAll(() => t.close());

const CREATE_KEY = `mutation($name: String!, $scope: ApiKeyScope!) { createApiKey(name: $name, scope: $scope) {
  __typename ... on CreatedApiKey { key apiKey { id prefix scope } } ${ERR} } }`;

describe('API keys', () => {
  it('OWNER/ADMIN create keys shown once; a read key reads, a read+write key writes, revoking stops it at once', async () => {
    const s = await studio(t);
    const clientId = await s.client('Keyed');
    await s.package(clientId, { credits: 5 });
    const read = await s.call(CREATE_KEY, { name: 'CRM sync', scope: 'READ' });
    const write = await s.call(CREATE_KEY, { name: 'Booking site', scope: 'READ_WRITE' });
    expect(read.key).toMatch(/^pc_[A-Za-z0-9_-]{43}$/);
    expect(read.key.startsWith(read.apiKey.prefix)).toBe(true);

    const list = await s.call('{ apiKeys { name scope prefix lastUsedAt revokedAt } }');
    expect(list.map((k: { name: string }) => k.name).sort()).toEqual(['Booking site', 'CRM sync']);
    expect(JSON.stringify(list)).not.toContain(read.key);

    const clients = await t.ok('{ clients(first: 5) { edges { node { name totalRemainingCredits } } } }', {}, read.key);
    expect(clients.clients.edges).toEqual([{ node: { name: 'Keyed', totalRemainingCredits: 5 } }]);
    expect(await s.log(clientId, {}, read.key)).toMatchObject({
      __typename: 'Forbidden',
      message: 'This API key is read-only.',
    });
    expect(await s.log(clientId, {}, write.key)).toMatchObject({ __typename: 'SessionPayload', balance: 4 });
    expect((await s.history(clientId))[0].actorName).toBe('API key "Booking site"');
    const settings = await t.ok(
      `mutation { updateTeamSettings(input: { cancelWindowHours: 1 }) { __typename ${ERR} } }`,
      {},
      write.key,
    );
    expect(settings.updateTeamSettings.__typename).toBe('Forbidden');
    expect(
      (await s.call('{ apiKeys { name lastUsedAt } }')).every((k: { lastUsedAt: string | null }) => k.lastUsedAt),
    ).toBe(true);

    await s.call(`mutation($id: ID!) { revokeApiKey(id: $id) { ... on ApiKey { revokedAt } } }`, {
      id: write.apiKey.id,
    });
    expect(await s.log(clientId, {}, write.key)).toMatchObject({ __typename: 'Unauthenticated' });
  });

  it('only OWNER/ADMIN manage keys', async () => {
    const s = await studio(t);
    const { key } = await s.call(CREATE_KEY, { name: 'rw', scope: 'READ_WRITE' });
    const byKey = await t.ok(CREATE_KEY, { name: 'escalate', scope: 'READ_WRITE' }, key);
    expect(byKey.createApiKey.__typename).toBe('Forbidden');
    const list = await t.gql('{ apiKeys { name } }', {}, key);
    expect(list.errors?.[0].extensions?.code).toBe('Forbidden');
  });

  it('limits requests per key with a clear error and Retry-After', async () => {
    const limited = await createTestApp({ env: { API_KEY_RATE_PER_MINUTE: '3' } });
    try {
      const s = await studio(limited);
      const { key } = await s.call(CREATE_KEY, { name: 'busy', scope: 'READ' });
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await limited.app.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: '{ team { name } }' }),
        });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = await last!.json();
      expect(body.errors[0].extensions).toMatchObject({ code: 'RateLimited' });
    } finally {
      await limited.close();
    }
  });
});

describe('hardening', () => {
  it('rate-limits log-in attempts per email, even with the right password afterwards', async () => {
    await t.ok(
      `mutation { signUp(teamName: "L", name: "L", email: "limited@example.com", password: "right password") { __typename } }`,
    );
    const attempt = (password: string) =>
      t.ok(
        `mutation($p: String!) { logIn(email: "limited@example.com", password: $p) { __typename ... on RateLimited { retryAfterSeconds } } }`,
        { p: password },
      );
    for (let i = 0; i < 10; i++) expect((await attempt('wrong')).logIn.__typename).toBe('InvalidCredentials');
    const blocked = await attempt('right password');
    expect(blocked.logIn.__typename).toBe('RateLimited');
    expect(blocked.logIn.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('refuses cookie-carrying requests a browser could forge cross-site (CSRF)', async () => {
    const s = await studio(t);
    const cookie = `punchcard_session=${s.token}`;
    const get = await fetch(`${url}?query=${encodeURIComponent('{ team { name } }')}`, { headers: { cookie } });
    expect(get.status).toBe(403);
    const form = await fetch(url, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('mutation { createClient(input: { name: "forged" }) { __typename } }')}`,
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(await t.db.prisma.client.count({ where: { name: 'forged' } })).toBe(0);
    const json = await fetch(url, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ team { name } }' }),
    });
    expect(json.status).toBe(200);
  });

  it('never lets another site read responses with the user’s cookies (CORS without credentials)', async () => {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-credentials')).not.toBe('true');
  });

  it('refuses text PostgreSQL cannot store, and forged IDs, as invalid input', async () => {
    const s = await studio(t);
    const nul = await t.gql(
      `mutation($name: String!) { createClient(input: { name: $name }) { __typename } }`,
      { name: 'A\u0000B' },
      s.token,
    );
    expect(nul.errors?.[0].extensions?.code).toBe('InvalidInput');
    const forged = Buffer.from('Client:\u0000not-a-uuid').toString('base64');
    const read = await t.gql(`query($id: ID!) { client(id: $id) { name } }`, { id: forged }, s.token);
    expect(read.errors?.[0].extensions).toMatchObject({ code: 'InvalidInput', field: 'id' });
    expect(await t.db.prisma.client.count({ where: { name: { startsWith: 'A' } } })).toBe(0);
  });

  it('limits query depth, aliases and size, and masks unexpected errors', async () => {
    const s = await studio(t);
    const deep = `{ clients(first: 1) { edges { node { packages { client { packages { client { packages { client { packages { client { packages { client { name } } } } } } } } } } } } } }`;
    const tooDeep = await t.gql(deep, {}, s.token);
    expect(tooDeep.errors?.[0].message).toMatch(/depth/i);
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: team { name }`).join(' ')} }`;
    expect((await t.gql(aliases, {}, s.token)).errors?.[0].message).toMatch(/alias/i);
    const bad = await t.gql('{ team { nope } }', {}, s.token);
    expect(bad.errors?.[0].message).not.toMatch(/Did you mean/);
  });
});

describe('share links', () => {
  const BALANCE = `query($token: String!) { sharedBalance(token: $token) { studioName clientName totalRemainingCredits
    packages { name remainingCredits totalCredits barColor expiresOn sessionTypes } expiredPackages { name unusedCredits } } }`;

  it('shows one client’s balance, read-only, to anyone with the link, until it is revoked', async () => {
    const s = await studio(t);
    const clientId = await s.client('Sharon');
    await s.package(clientId, { name: 'Pack', credits: 10, expiresOn: '2026-09-01' });
    await s.package(clientId, { name: 'Old', credits: 3, expiresOn: '2026-06-03' });
    await s.log(clientId, { notes: 'secret trainer note' });
    const link = await s.call(
      `mutation($c: ID!) { createShareLink(clientId: $c) { ... on ShareLink { token path } } }`,
      { c: clientId },
    );
    expect(Buffer.from(link.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(link.path).toBe(`/b/${link.token}`);
    t.clock.advance(3 * 86_400_000);
    const { sharedBalance } = await t.ok(BALANCE, { token: link.token }); // no login
    expect(sharedBalance).toEqual({
      studioName: expect.any(String),
      clientName: 'Sharon',
      totalRemainingCredits: 10,
      packages: [
        {
          name: 'Pack',
          remainingCredits: 10,
          totalCredits: 10,
          barColor: 'GREEN',
          expiresOn: '2026-09-01',
          sessionTypes: ['1-on-1'],
        },
      ],
      expiredPackages: [{ name: 'Old', unusedCredits: 2 }],
    });
    const profile = await s.call(`query($c: ID!) { client(id: $c) { shareLink { token } } }`, { c: clientId });
    expect(profile.shareLink.token).toBe(link.token);

    const page = await fetch(new URL(link.path, url));
    expect(await page.text()).toContain(`data-token="${link.token}"`);
    expect((await fetch(new URL('/widget.js', url))).headers.get('content-type')).toMatch(/javascript/);

    await s.call(`mutation($c: ID!) { revokeShareLink(clientId: $c) { __typename } }`, { c: clientId });
    const revoked = await t.gql(BALANCE, { token: link.token });
    expect(revoked.errors?.[0].extensions?.code).toBe('NotFound');
    t.clock.current = new Date('2026-06-01T12:00:00Z');
  });

  it('streams live over SSE and stops at once when the link is revoked', async () => {
    const s = await studio(t);
    const clientId = await s.client('Live');
    await s.package(clientId, { credits: 4 });
    const link = await s.call(`mutation($c: ID!) { createShareLink(clientId: $c) { ... on ShareLink { token } } }`, {
      c: clientId,
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription($token: String!) { sharedBalance(token: $token) { totalRemainingCredits } }',
        variables: { token: link.token },
      }),
    });
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/"totalRemainingCredits":4/);
    await s.log(clientId);
    await readUntil(/"totalRemainingCredits":3/);
    await s.call(`mutation($c: ID!) { revokeShareLink(clientId: $c) { __typename } }`, { c: clientId });
    await readUntil(/NotFound|event: complete/);
    expect(text).toMatch(/NotFound/);
  });
});
