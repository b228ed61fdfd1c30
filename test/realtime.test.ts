import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestApp, ERR, studio, type TestApp } from './helpers.ts';

let t: TestApp;
let wsUrl: string;
let httpUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  const { url } = await t.app.start();
  httpUrl = url;
  wsUrl = url.replace(/^http/, 'ws');
});
afterAll(() => t.close());

const EVENTS = `subscription($after: Int) { ledgerEvents(after: $after) {
  sequence kind clientId entry { event amount balanceAfter } sessionEvent { change status } } }`;

/** A real graphql-ws client collecting what one subscription receives. */
function subscribe(token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const closes: number[] = [];
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  const received: any[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => (value.errors ? errors.push(value.errors) : received.push(Object.values(value.data ?? {})[0])),
      error: (error) => errors.push(error),
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    received,
    errors,
    closes,
    get completed() {
      return completed;
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

async function until(check: () => boolean, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ledgerEvents', () => {
  it('a mutation reaches a teammate subscribed over graphql-ws', async () => {
    const s = await studio(t);
    const clientId = await s.client();
    // From the team's cursor (a new team: 0), so it makes no difference whether the mutations
    // below commit before or after the subscription is set up: no waiting for it.
    const sub = subscribe(s.token, EVENTS, { after: 0 });
    await s.package(clientId, { credits: 3 });
    await s.log(clientId);
    await s.log(await s.client('Direct', 'NONE'));
    await until(() => sub.received.length === 3, 'three events');
    expect(sub.received.map((e) => [e.kind, e.entry?.event ?? e.sessionEvent.change])).toEqual([
      ['LEDGER_ENTRY', 'ISSUED'],
      ['LEDGER_ENTRY', 'USED'],
      ['SESSION_CHANGE', 'LOGGED'],
    ]);
    expect(sub.received[1]).toMatchObject({ clientId, entry: { amount: -1, balanceAfter: 2 } });
    const seqs = sub.received.map((e) => e.sequence);
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
    await sub.close();
  });

  it('resumes from a cursor after a disconnect with exactly the missed events', async () => {
    const s = await studio(t);
    const clientId = await s.client();
    await s.package(clientId, { credits: 10 });
    const first = subscribe(s.token, EVENTS, { after: 0 });
    await until(() => first.received.length === 1, 'the replayed ISSUED entry');
    await s.log(clientId);
    await until(() => first.received.length === 2, 'the live USED entry');
    const cursor = first.received.at(-1).sequence;
    await first.close();
    for (let i = 0; i < 4; i++) await s.log(clientId); // missed while offline
    const resumed = subscribe(s.token, EVENTS, { after: cursor });
    await until(() => resumed.received.length === 4, 'the four missed events');
    await s.log(clientId); // and then live again
    await until(() => resumed.received.length === 5, 'the next live event');
    expect(resumed.received.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5].map((i) => cursor + i));
    expect(resumed.received.at(-1).entry.balanceAfter).toBe(4);
    // No duplicates: the stream is in order, so any repeat would come before the next event.
    await s.log(clientId);
    await until(() => resumed.received.some((e) => e.sequence === cursor + 6), 'one more live event');
    expect(resumed.received.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6].map((i) => cursor + i));
    await resumed.close();
  });

  it("another team's subscriber receives nothing", async () => {
    const a = await studio(t);
    const b = await studio(t);
    const spy = subscribe(b.token, EVENTS, { after: 0 });
    const clientId = await a.client();
    await a.package(clientId);
    await a.log(clientId);
    // B's own next event shows the subscriber is live and has been handed everything before it.
    await b.package(await b.client());
    await until(() => spy.received.length > 0, "B's own event");
    expect(spy.received.map((e) => [e.sequence, e.entry?.event])).toEqual([[1, 'ISSUED']]);
    await spy.close();
  });

  it('an unauthenticated socket is refused with close code 4403', async () => {
    const anonymous = subscribe(null, EVENTS);
    const forged = subscribe('not-a-token', EVENTS);
    await until(() => anonymous.closes.length > 0 && forged.closes.length > 0, 'the sockets to close');
    expect(anonymous.closes[0]).toBe(4403);
    expect(forged.closes[0]).toBe(4403);
    expect(anonymous.received).toEqual([]);
  });

  it('a member who logs out, or is removed, stops receiving', async () => {
    const s = await studio(t);
    const { inviteMember } = await t.ok(
      `mutation { inviteMember(email: "t@example.com", role: TRAINER) { ... on InvitationPayload { token } } }`,
      {},
      s.token,
    );
    const { acceptInvitation } = await t.ok(
      `mutation($token: String!) { acceptInvitation(token: $token, name: "T", password: "trainer-pass") { ... on LoginPayload { token member { id } } } }`,
      { token: inviteMember.token },
    );
    const { logIn } = await t.ok(
      `mutation { logIn(email: "t@example.com", password: "trainer-pass") { ... on LoginPayload { token } } }`,
    );
    const removed = subscribe(acceptInvitation.token, EVENTS, { after: 0 });
    const loggedOut = subscribe(logIn.token, EVENTS, { after: 0 });
    const owner = subscribe(s.token, EVENTS, { after: 0 });
    // Both streams are up once they have replayed the team's first event.
    await s.package(await s.client('First'));
    await until(() => removed.received.length === 1 && loggedOut.received.length === 1, 'both subscriptions to start');
    await t.ok('mutation { logOut }', {}, logIn.token);
    await until(() => loggedOut.errors.length > 0 || loggedOut.completed, 'the logged-out subscription to end');
    await t.ok(
      `mutation($id: ID!) { removeMember(memberId: $id) { __typename ${ERR} } }`,
      { id: acceptInvitation.member.id },
      s.token,
    );
    await until(() => removed.errors.length > 0 || removed.completed, 'the removed member’s subscription to end');
    const clientId = await s.client();
    await s.package(clientId);
    // A member still on the team gets it: by then the ended streams would have had it too.
    await until(() => owner.received.length === 2, "the owner's second event");
    expect(removed.received).toHaveLength(1);
    expect(loggedOut.received).toHaveLength(1);
    await removed.close();
    await loggedOut.close();
    await owner.close();
  });
});

describe('balanceChanged', () => {
  it("sends the client's balance at subscribe time and after every change", async () => {
    const s = await studio(t);
    const clientId = await s.client();
    const other = await s.client('Other');
    await s.package(clientId, { credits: 5 });
    const sub = subscribe(
      s.token,
      `subscription($id: ID!) { balanceChanged(clientId: $id) { totalRemainingCredits packages { remainingCredits barColor } } }`,
      { id: clientId },
    );
    await until(() => sub.received.length === 1, 'the initial balance');
    expect(sub.received[0]).toEqual({
      totalRemainingCredits: 5,
      packages: [{ remainingCredits: 5, barColor: 'GREEN' }],
    });
    await s.package(other); // another client's change is not sent
    for (let i = 0; i < 3; i++) await s.log(clientId);
    await until(() => sub.received.at(-1)?.totalRemainingCredits === 2, 'the balance after three sessions');
    expect(sub.received.at(-1).packages).toEqual([{ remainingCredits: 2, barColor: 'AMBER' }]);
    expect(sub.received.length).toBeLessThanOrEqual(4);
    await sub.close();
  });

  it('refuses a client of another team', async () => {
    const a = await studio(t);
    const b = await studio(t);
    const bClient = await b.client();
    const sub = subscribe(
      a.token,
      `subscription($id: ID!) { balanceChanged(clientId: $id) { totalRemainingCredits } }`,
      { id: bClient },
    );
    await until(() => sub.errors.length > 0, 'a NotFound error');
    expect(JSON.stringify(sub.errors)).toMatch(/NotFound/);
    expect(sub.received).toEqual([]);
    await sub.close();
  });
});

describe('Server-Sent Events', () => {
  it('streams ledgerEvents to clients that cannot use WebSockets', async () => {
    const s = await studio(t);
    const clientId = await s.client();
    await s.package(clientId, { credits: 2 });
    const controller = new AbortController();
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${s.token}` },
      body: JSON.stringify({ query: EVENTS, variables: { after: 0 } }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('ISSUED')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/event: next\ndata: .*"kind":"LEDGER_ENTRY"/);
    controller.abort();
  });
});

describe('transports and shutdown', () => {
  it('authenticates a socket by the session cookie, as browsers do', async () => {
    const s = await studio(t);
    const clientId = await s.client();
    const cookie = `punchcard_session=${s.token}`;
    class CookieWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        // Browsers send the page's Origin: the app's own, here.
        super(address, protocols, { headers: { cookie, origin: new URL(httpUrl).origin } });
      }
    }
    const received: any[] = [];
    const client = createClient({ url: wsUrl, webSocketImpl: CookieWebSocket, retryAttempts: 0 });
    const stop = client.subscribe(
      { query: EVENTS, variables: { after: 0 } },
      { next: (v) => received.push(v.data), error: () => {}, complete: () => {} },
    );
    await s.package(clientId);
    await until(() => received.length === 1, 'an event over the cookie-authenticated socket');
    stop();
    await client.dispose();
  });

  it('closes sockets cleanly on shutdown (1001), so clients reconnect and resume', async () => {
    const other = await createTestApp();
    const { url } = await other.app.start();
    const s = await studio(other);
    const closes: number[] = [];
    const client = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${s.token}` },
      retryAttempts: 0,
      on: {
        connected: () => {
          connected = true;
        },
        closed: (event) => closes.push((event as { code: number }).code),
      },
    });
    let connected = false;
    const errors: unknown[] = [];
    client.subscribe({ query: EVENTS }, { next: () => {}, error: (e) => errors.push(e), complete: () => {} });
    await until(() => connected, 'the socket to be acknowledged');
    await other.close();
    await until(() => closes.length > 0, 'the socket to close');
    expect(closes[0]).toBe(1001);
    await client.dispose();
  });
});
