import { parentPort, workerData } from 'node:worker_threads';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** One slice of the fan-out bench's subscribers, in its own event loop so the server's stays clean. */
const { url, token, count, after } = workerData as { url: string; token: string; count: number; after: number };
const clock = () => performance.timeOrigin + performance.now();

const received: { sequence: number; at: number }[][] = [];
const clients: Client[] = [];
let ready = 0;
for (let i = 0; i < count; i++) {
  const mine: { sequence: number; at: number }[] = [];
  received.push(mine);
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
  });
  clients.push(client);
  client.on('connected', () => {
    if (++ready === count) parentPort!.postMessage({ type: 'ready' });
  });
  client.subscribe(
    { query: 'subscription($after: Int) { ledgerEvents(after: $after) { sequence } }', variables: { after } },
    {
      next: (value) => mine.push({ sequence: (value.data as any).ledgerEvents.sequence, at: clock() }),
      error: () => {},
      complete: () => {},
    },
  );
}

parentPort!.on('message', async (message: { type: string }) => {
  if (message.type !== 'report') return;
  parentPort!.postMessage({ type: 'report', received });
  await Promise.all(clients.map((c) => c.dispose()));
  process.exit(0);
});
