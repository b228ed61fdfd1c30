import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLiveConnection, type LiveConnection } from './connection';

/**
 * A graphql-ws server in a fake WebSocket, on fake timers: what the live connection does when
 * pongs stop coming and when the server closes cleanly, without waiting real seconds.
 */
type Message = { id?: string; type: string; payload?: { query?: string; variables?: Record<string, unknown> } };

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  /** What the server still sends when the link has gone silent: nothing. */
  silent = false;
  readyState = FakeSocket.CONNECTING;
  protocol = 'graphql-transport-ws';
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  readonly subscriptions: Message[] = [];

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
    queueMicrotask(() => {
      this.readyState = FakeSocket.OPEN;
      this.onopen?.({});
    });
  }

  send(data: string) {
    const message = JSON.parse(data) as Message;
    if (this.silent) return;
    if (message.type === 'connection_init') this.reply({ type: 'connection_ack' });
    if (message.type === 'ping') this.reply({ type: 'pong' });
    if (message.type === 'subscribe') {
      this.subscriptions.push(message);
      if (message.payload?.query?.includes('recentTeamEvents')) {
        this.reply({ id: message.id, type: 'next', payload: { data: { recentTeamEvents: [event(7)] } } as never });
        this.reply({ id: message.id, type: 'complete' });
      }
    }
  }

  /** The server closing the socket (its close frame reaches the client). */
  serverClose(code: number) {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason: '', wasClean: true });
  }

  close(code = 1000, reason = '') {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSING;
    // Over a silent link the close handshake never completes: no close event.
    if (this.silent) return;
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: true });
  }

  private reply(message: Message) {
    queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(message) }));
  }
}

function event(sequence: number) {
  return { sequence, kind: 'LEDGER_ENTRY', clientId: 'c1', createdAt: '2026-06-01T12:00:00Z', entry: null };
}

const ledgerSubscriptions = () =>
  FakeSocket.all.flatMap((s) => s.subscriptions).filter((m) => m.payload?.query?.includes('ledgerEvents'));

let live: LiveConnection;
beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => {
  live?.stop();
  vi.useRealTimers();
});

async function connected(options: { pingIntervalMs?: number; pongTimeoutMs?: number } = {}) {
  live = createLiveConnection({ url: 'ws://test/graphql', webSocketImpl: FakeSocket, ...options });
  await vi.advanceTimersByTimeAsync(10);
  expect(live.status()).toBe('live');
}

describe('live connection', () => {
  it('starts from the cursor of its first load, and resumes from it after a drop', async () => {
    await connected();
    expect(live.cursor()).toBe(7);
    expect(live.recent().map((e) => e.sequence)).toEqual([7]);
    expect(ledgerSubscriptions().map((m) => m.payload?.variables)).toEqual([{ after: 7 }]);
    FakeSocket.all[0].serverClose(1006);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(ledgerSubscriptions().map((m) => m.payload?.variables)).toEqual([{ after: 7 }, { after: 7 }]);
  });

  it('a missed pong drops the socket at once and leaves "Live" within ping + pong timeout', async () => {
    await connected({ pingIntervalMs: 5_000, pongTimeoutMs: 5_000 });
    FakeSocket.all[0].silent = true;
    await vi.advanceTimersByTimeAsync(4_000);
    expect(live.status()).toBe('live'); // nothing missed yet: the next ping is not due
    await vi.advanceTimersByTimeAsync(6_010);
    expect(live.status()).toBe('reconnecting');
    // A new socket (not a close handshake that never ends), resuming from the cursor.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(live.status()).toBe('live');
    expect(ledgerSubscriptions().at(-1)?.payload?.variables).toEqual({ after: 7 });
  });

  it.each([1001, 1012])('after a clean server close (%i) the first retry is immediate, with jitter', async (code) => {
    await connected();
    FakeSocket.all[0].serverClose(code);
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('after an unclean close it backs off', async () => {
    await connected();
    FakeSocket.all[0].serverClose(1006);
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeSocket.all).toHaveLength(1);
    expect(live.status()).toBe('reconnecting');
  });
});
