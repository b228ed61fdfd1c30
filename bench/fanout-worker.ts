import { parentPort, workerData } from 'node:worker_threads';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** One slice of the fan-out bench's subscribers, in its own event loop so the server's stays clean. */
const { url, token, count, after, batch } = workerData as {
  url: string;
  token: string;
  count: number;
  after: number;
  /** Sockets opened at once: a burst of thousands overflows the server's accept backlog (ECONNRESET). */
  batch: number;
};
const clock = () => performance.timeOrigin + performance.now();

const received: { sequence: number; at: number }[][] = [];
const clients: Client[] = [];
let ready = 0;
let connectErrors = 0;

function subscriber(): Promise<void> {
  const mine: { sequence: number; at: number }[] = [];
  received.push(mine);
  return new Promise((resolve) => {
    let connected = false;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 20,
      // graphql-ws logs every failed attempt by default; count them instead.
      onNonLazyError: () => {},
      on: {
        error: () => {
          if (!connected) connectErrors++;
        },
      },
    });
    clients.push(client);
    client.on('connected', () => {
      if (connected) return;
      connected = true;
      ready++;
      resolve();
    });
    client.subscribe(
      { query: 'subscription($after: Int) { ledgerEvents(after: $after) { sequence } }', variables: { after } },
      {
        next: (value) => mine.push({ sequence: (value.data as any).ledgerEvents.sequence, at: clock() }),
        // Retries exhausted before ever connecting: count it as a subscriber that never came.
        error: () => {
          if (!connected) resolve();
        },
        complete: () => {},
      },
    );
  });
}

for (let i = 0; i < count; i += batch) {
  await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => subscriber()));
  parentPort!.postMessage({ type: 'progress', ready });
}
parentPort!.postMessage({ type: 'ready', ready, connectErrors });

parentPort!.on('message', async (message: { type: string }) => {
  if (message.type !== 'report') return;
  parentPort!.postMessage({ type: 'report', received });
  await Promise.all(clients.map((c) => c.dispose()));
  process.exit(0);
});
