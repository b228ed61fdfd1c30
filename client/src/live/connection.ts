import { stringifyDocument } from '@urql/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { type Accessor, createSignal } from 'solid-js';
import type { LedgerEventsSubscription } from '../gql/graphql';
import { LedgerEventsDocument } from './document';

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
  /** Team events seen since the app opened, newest first (the dashboard's activity feed). */
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

const RECENT_MAX = 50;
const PONG_TIMEOUT_MS = 5_000;
const UNAVAILABLE_RETRY_MS = 30_000;

function isGraphQLErrorList(error: unknown): boolean {
  return Array.isArray(error) && error.every((e) => e && typeof e.message === 'string');
}

/**
 * One app-wide `ledgerEvents` subscription over graphql-ws. It remembers the last sequence it
 * applied and, after any drop, resubscribes with `after` so the server replays what was missed:
 * the database is the truth, the socket only says "look again". We retry ourselves (graphql-ws
 * would resend the first `after`) with backoff, and wait for the browser to be online again.
 */
export function createLiveConnection(options: { url: string; webSocketImpl?: unknown }): LiveConnection {
  const [status, setStatus] = createSignal<LiveStatus>('connecting');
  const [recent, setRecent] = createSignal<LiveEvent[]>([]);
  const listeners = new Set<(change: LiveChange) => void>();
  let lastSequence: number | null = null;
  let everConnected = false;
  let attempt = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | null = null;
  let socket: WebSocket | null = null;

  const emit = (change: LiveChange) => {
    for (const listener of [...listeners]) listener(change);
  };

  const ws = createClient({
    url: options.url,
    lazy: true,
    retryAttempts: 0,
    keepAlive: 10_000,
    webSocketImpl: options.webSocketImpl,
    on: {
      opened: (s) => {
        socket = s as WebSocket;
      },
      connected: () => {
        const reconnect = everConnected;
        everConnected = true;
        attempt = 0;
        setStatus('live');
        // Without a cursor there is nothing to replay from: refetch everything instead.
        if (reconnect && lastSequence == null) emit({ clientId: null });
      },
      ping: (received) => {
        if (received) return;
        // A half-open socket never closes by itself: no pong in time means the link is gone.
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Request Timeout');
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => {
        clearTimeout(pongTimer);
        socket = null;
      },
    },
  });

  function subscribe() {
    timer = undefined;
    if (stopped) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      setStatus('offline');
      return;
    }
    if (status() !== 'live') setStatus(everConnected ? 'reconnecting' : 'connecting');
    const variables = lastSequence == null ? {} : { after: lastSequence };
    let done = false;
    const finish = (unavailable: boolean) => {
      if (done) return;
      done = true;
      unsubscribe?.();
      unsubscribe = null;
      scheduleRetry(unavailable);
    };
    unsubscribe = ws.subscribe<LiveEventPayload>(
      { query: stringifyDocument(LedgerEventsDocument), variables },
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
        error: (error) => finish(isGraphQLErrorList(error)),
        complete: () => finish(false),
      },
    );
  }

  function scheduleRetry(unavailable: boolean) {
    if (stopped || timer) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      setStatus('offline');
      return;
    }
    setStatus(unavailable ? 'unavailable' : 'reconnecting');
    const backoff = Math.min(10_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    timer = setTimeout(subscribe, unavailable ? UNAVAILABLE_RETRY_MS : backoff);
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
