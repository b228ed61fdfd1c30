import { stringifyDocument } from '@urql/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { type Accessor, createSignal } from 'solid-js';
import type { LedgerEventsSubscription, RecentTeamEventsQuery } from '../gql/graphql';
import { LedgerEventsDocument, RecentTeamEventsDocument } from './document';

export type LiveEvent = LedgerEventsSubscription['ledgerEvents'];

/**
 * A change the screens may need to show. `clientId: null` means "anything may have changed"
 * (after a gap we could not replay), so every live query refetches.
 */
export interface LiveChange {
  clientId: string | null;
  event?: LiveEvent;
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unavailable';

export interface LiveConnection {
  status: Accessor<LiveStatus>;
  /**
   * The team's latest events, newest first (the dashboard's activity feed): the ones before the
   * app opened, read with the cursor, then every one since, each once.
   */
  recent: Accessor<LiveEvent[]>;
  /** The socket that component subscriptions (balanceChanged) share with the event stream. */
  ws: WsClient;
  listen(listener: (change: LiveChange) => void): () => void;
  /** This tab changed a client: refresh now instead of waiting for the server's event. */
  notify(clientId: string | null): void;
  /** The last sequence applied: the cursor a reconnect resumes from. */
  cursor(): number | null;
  stop(): void;
}

export interface LiveOptions {
  url: string;
  webSocketImpl?: unknown;
  /**
   * A silent link (packets dropped, no `offline` event) is noticed by keep-alive: a ping this
   * long after the last pong, and the socket is dropped when its pong does not come within
   * `pongTimeoutMs`. So the badge leaves "Live" at most ping + pong timeout after the link went
   * silent (10 s by default).
   */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Opening the socket (through to the server's acknowledgement) is given up after this. */
  connectTimeoutMs?: number;
}

const RECENT_MAX = 50;
const UNAVAILABLE_RETRY_MS = 30_000;
/** The server closes with these when it shuts down or restarts: come back at once. */
const SERVER_RESTART_CODES = new Set([1001, 1012]);
/** Spreads the immediate reconnects of every tab after a server restart over this long. */
const RESTART_JITTER_MS = 300;

function isGraphQLErrorList(error: unknown): boolean {
  return Array.isArray(error) && error.every((e) => e && typeof e.message === 'string');
}

function closeCode(error: unknown): number | undefined {
  return error && typeof error === 'object' && 'code' in error && typeof error.code === 'number'
    ? error.code
    : undefined;
}

/**
 * One app-wide `ledgerEvents` subscription over graphql-ws. It starts from a cursor: its first
 * load reads the team's latest events (whose newest sequence is the team's latest), and the
 * subscription asks for everything after it. It remembers the last sequence it applied and,
 * after any drop, resubscribes with `after` so the server replays what was missed, exactly once
 * and in order: the database is the truth, the socket only says "look again". We retry ourselves
 * (graphql-ws would resend the first `after`) with backoff, and wait for the browser to be online
 * again.
 */
export function createLiveConnection(options: LiveOptions): LiveConnection {
  const pingIntervalMs = options.pingIntervalMs ?? 5_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 5_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const [status, setStatus] = createSignal<LiveStatus>('connecting');
  const [recent, setRecent] = createSignal<LiveEvent[]>([]);
  const listeners = new Set<(change: LiveChange) => void>();
  let lastSequence: number | null = null;
  let everConnected = false;
  let connected = false;
  let attempt = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | null = null;

  const emit = (change: LiveChange) => {
    for (const listener of [...listeners]) listener(change);
  };

  const ws = createClient({
    url: options.url,
    lazy: true,
    // The first load and the subscription follow each other on one socket: keep it between them.
    lazyCloseTimeout: 3_000,
    retryAttempts: 0,
    keepAlive: pingIntervalMs,
    webSocketImpl: options.webSocketImpl,
    on: {
      // Through a stalled link the handshake never completes and the browser never gives up.
      connecting: () => {
        clearTimeout(connectTimer);
        connectTimer = setTimeout(() => ws.terminate(), connectTimeoutMs);
      },
      connected: () => {
        clearTimeout(connectTimer);
        connected = true;
        everConnected = true;
        attempt = 0;
        // Live once following from a cursor (the first load has not answered yet otherwise).
        if (lastSequence != null) setStatus('live');
      },
      ping: (received) => {
        if (received) return;
        // A half-open socket never closes by itself, and a close handshake over a dead link never
        // completes: no pong in time means the link is gone, so drop the socket at once
        // (terminate() fails every subscription on it, which reconnects from the cursor).
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => ws.terminate(), pongTimeoutMs);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => {
        connected = false;
        clearTimeout(pongTimer);
        clearTimeout(connectTimer);
      },
    },
  });

  /** The first load: the team's latest events, the newest of which is the cursor. */
  function loadStart(): Promise<LiveEvent[]> {
    return new Promise((resolve, reject) => {
      let events: LiveEvent[] | null = null;
      ws.subscribe<RecentTeamEventsQuery>(
        { query: stringifyDocument(RecentTeamEventsDocument) },
        {
          next: (result) => {
            if (result.errors?.length) reject(result.errors);
            else events = (result.data?.recentTeamEvents ?? []) as LiveEvent[];
          },
          error: reject,
          complete: () => (events ? resolve(events) : reject(new Error('No answer to the first load.'))),
        },
      );
    });
  }

  function subscribe() {
    timer = undefined;
    if (stopped) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      setStatus('offline');
      return;
    }
    if (status() !== 'live') setStatus(everConnected ? 'reconnecting' : 'connecting');
    let done = false;
    const finish = (unavailable: boolean, error?: unknown) => {
      if (done) return;
      done = true;
      unsubscribe?.();
      unsubscribe = null;
      scheduleRetry(unavailable, closeCode(error));
    };
    // Until the first load answers there is a placeholder, so that `online` does not start twice.
    unsubscribe = () => {
      done = true;
    };
    if (lastSequence == null) {
      loadStart().then(
        (events) => {
          if (done || stopped) return;
          lastSequence = events[0]?.sequence ?? 0;
          setRecent(events.slice(0, RECENT_MAX));
          // Screens that loaded before the cursor was taken may have missed what came between.
          emit({ clientId: null });
          follow(finish);
        },
        (error) => finish(isGraphQLErrorList(error), error),
      );
    } else {
      follow(finish);
    }
  }

  /** Streams everything after the cursor, replayed first, then live. */
  function follow(finish: (unavailable: boolean, error?: unknown) => void) {
    unsubscribe = ws.subscribe<LiveEventPayload>(
      { query: stringifyDocument(LedgerEventsDocument), variables: { after: lastSequence } },
      {
        next: (result) => {
          if (result.errors?.length) return finish(true);
          const event = result.data?.ledgerEvents;
          if (!event) return;
          // A replay may overlap what we already applied; the sequence is gap-free and ordered.
          if (lastSequence != null && event.sequence <= lastSequence) return;
          lastSequence = event.sequence;
          setRecent((list) => [event, ...list].slice(0, RECENT_MAX));
          emit({ clientId: event.clientId, event });
        },
        error: (error) => finish(isGraphQLErrorList(error), error),
        complete: () => finish(false),
      },
    );
    if (connected) setStatus('live');
  }

  function scheduleRetry(unavailable: boolean, code?: number) {
    if (stopped || timer) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      setStatus('offline');
      return;
    }
    setStatus(unavailable ? 'unavailable' : 'reconnecting');
    let delay = Math.min(10_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    // A server going away cleanly (shutdown, restart) is back or replaced at once: the first
    // retry is immediate, only spread a little so that every tab does not come at once.
    if (code != null && SERVER_RESTART_CODES.has(code) && attempt === 0) delay = Math.random() * RESTART_JITTER_MS;
    attempt += 1;
    timer = setTimeout(subscribe, unavailable ? UNAVAILABLE_RETRY_MS : delay);
  }

  const onOnline = () => {
    if (stopped || unsubscribe) return;
    clearTimeout(timer);
    attempt = 0;
    subscribe();
  };
  // The browser knows the network is gone before the socket does: drop it now and resume from
  // the cursor when the browser is back online.
  const onOffline = () => {
    if (stopped) return;
    setStatus('offline');
    ws.terminate();
  };
  // While not live, a returning user gets fresh screens at least.
  const onVisible = () => {
    if (!stopped && document.visibilityState === 'visible' && status() !== 'live') emit({ clientId: null });
  };
  if (typeof window !== 'undefined') {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onVisible);
  }

  subscribe();

  return {
    status,
    recent,
    ws,
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify(clientId) {
      emit({ clientId });
    },
    cursor: () => lastSequence,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(pongTimer);
      clearTimeout(connectTimer);
      unsubscribe?.();
      unsubscribe = null;
      void ws.dispose();
      listeners.clear();
      if (typeof window !== 'undefined') {
        window.removeEventListener('online', onOnline);
        window.removeEventListener('offline', onOffline);
        document.removeEventListener('visibilitychange', onVisible);
      }
    },
  };
}

type LiveEventPayload = LedgerEventsSubscription;

export function liveUrl(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
}
