import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_MAX_PAYLOAD_BYTES } from '../../server/http/websocket.ts';
import { createTestApp, ERR, studio, type TestApp } from '../helpers.ts';
import { rawSocket } from './support.ts';

let t: TestApp;
let url: string;
let host: string;
beforeAll(async () => {
  t = await createTestApp({
    env: { WS_ALLOWED_ORIGINS: 'https://admin.studio.example', API_KEY_RATE_PER_MINUTE: '3' },
  });
  url = (await t.app.start()).url;
  host = new URL(url).host;
});
afterAll(() => t.close());

const TEAM = { id: '1', type: 'subscribe', payload: { query: '{ team { name members { email } } }' } };

describe('cross-site WebSocket hijacking', () => {
  it('refuses a login cookie on a socket opened from another origin (another port of the same site too)', async () => {
    const s = await studio(t);
    for (const origin of ['https://evil.example', `http://${new URL(url).hostname}:9999`, 'null']) {
      const socket = rawSocket(url, { headers: { cookie: `punchcard_session=${s.token}`, origin } });
      const closed = await socket.closed;
      expect(closed).toEqual({ code: 4403, reason: expect.stringMatching(/own origin/) });
      expect(socket.messages.filter((m) => m.type === 'connection_ack')).toEqual([]);
    }
    // Without an Origin (no browser sends that) a cookie is refused too: non-browser clients send a token.
    expect((await rawSocket(url, { headers: { cookie: `punchcard_session=${s.token}` } }).closed).code).toBe(4403);
  });

  it("accepts the cookie from the app's own origin and from WS_ALLOWED_ORIGINS", async () => {
    const s = await studio(t);
    for (const origin of [`http://${host}`, 'https://admin.studio.example']) {
      const socket = rawSocket(url, { headers: { cookie: `punchcard_session=${s.token}`, origin } });
      await socket.next('connection_ack');
      socket.send(TEAM);
      const { payload } = await socket.next('next');
      expect(payload.data.team.members).toHaveLength(1);
      socket.close();
    }
  });

  it('accepts a bearer token from any origin: another site has no way to read it', async () => {
    const s = await studio(t);
    const socket = rawSocket(url, {
      headers: { origin: 'https://partner.example' },
      init: { authorization: `Bearer ${s.token}` },
    });
    await socket.next('connection_ack');
    socket.send(TEAM);
    expect((await socket.next('next')).payload.data.team.name).toMatch(/Studio/);
    socket.close();
  });
});

describe('socket limits and malformed input', () => {
  it(`closes a socket that sends more than ${WS_MAX_PAYLOAD_BYTES} bytes, before connection_init`, async () => {
    const socket = rawSocket(url, { init: null });
    socket.send('x'.repeat(WS_MAX_PAYLOAD_BYTES + 1));
    expect((await socket.closed).code).toBe(1009);
    // The server is fine.
    expect((await t.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('answers a malformed login cookie with 400 over HTTP and 4400 over WebSocket', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'punchcard_session=%E0%A4%A' },
      body: JSON.stringify({ query: '{ me { member { id } } }' }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors[0]).toMatchObject({
      message: expect.stringMatching(/cookie is malformed/),
      extensions: { code: 'InvalidInput' },
    });
    const socket = rawSocket(url, { headers: { cookie: 'punchcard_session=%E0%A4%A', origin: `http://${host}` } });
    expect(await socket.closed).toEqual({ code: 4400, reason: expect.stringMatching(/cookie is malformed/) });
  });
});

describe('share tokens over graphql-ws', () => {
  it('streams sharedBalance to a socket that connected with the share token, and nothing else', async () => {
    const s = await studio(t);
    const clientId = await s.client('Shared Client');
    await s.package(clientId, { credits: 5 });
    const { token } = await s.call(
      `mutation($c: ID!) { createShareLink(clientId: $c) { ... on ShareLink { token } ${ERR} } }`,
      { c: clientId },
    );
    const socket = rawSocket(url, {
      headers: { origin: 'https://studio-website.example' },
      init: { authorization: `Bearer ${token}` },
    });
    await socket.next('connection_ack');
    socket.send({
      id: 'b',
      type: 'subscribe',
      payload: {
        query: 'subscription($t: String!) { sharedBalance(token: $t) { totalRemainingCredits } }',
        variables: { t: token },
      },
    });
    expect((await socket.next('next')).payload.data.sharedBalance.totalRemainingCredits).toBe(5);
    await s.log(clientId);
    expect((await socket.next('next')).payload.data.sharedBalance.totalRemainingCredits).toBe(4);

    socket.send({
      id: 'x',
      type: 'subscribe',
      payload: { query: 'mutation { logIn(email: "a@b.c", password: "x") { __typename } }' },
    });
    const refused = await socket.next('error');
    expect(refused).toMatchObject({ id: 'x', payload: [{ message: expect.stringMatching(/sharedBalance only/) }] });
    socket.close();
  });

  it('refuses a revoked or unknown share token with 4403', async () => {
    const socket = rawSocket(url, { init: { authorization: 'Bearer not-a-share-token-at-all-000000' } });
    expect((await socket.closed).code).toBe(4403);
  });
});

describe('one charge per operation', () => {
  it("spends one of an API key's requests per socket operation (connecting and the first operation are one)", async () => {
    const s = await studio(t);
    const { createApiKey } = await t.ok(
      `mutation { createApiKey(name: "sync", scope: READ) { ... on CreatedApiKey { key } ${ERR} } }`,
      {},
      s.token,
    );
    const socket = rawSocket(url, { init: { authorization: `Bearer ${createApiKey.key}` } });
    await socket.next('connection_ack');
    // API_KEY_RATE_PER_MINUTE is 3 here: three operations fit, the fourth is over the budget.
    for (const id of ['1', '2', '3']) {
      socket.send({ id, type: 'subscribe', payload: { query: '{ team { name } }' } });
      expect((await socket.next('next')).payload.data.team).not.toBeNull();
    }
    socket.send({ id: '4', type: 'subscribe', payload: { query: '{ team { name } }' } });
    const over = await socket.next('error');
    expect(over).toMatchObject({ id: '4', payload: [{ extensions: { code: 'RateLimited' } }] });
    socket.close();
  });
});
