import WebSocket from 'ws';

/** What a raw graphql-ws socket saw: the server's messages, and how it was closed. */
export interface RawSocket {
  messages: { type: string; id?: string; payload?: any }[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Resolves with the first message of this type (or rejects when the socket closes first). */
  next(type: string): Promise<{ type: string; id?: string; payload?: any }>;
  close(): void;
}

/** A graphql-transport-ws socket with chosen handshake headers (Origin, Cookie) and connection_init payload. */
export function rawSocket(
  url: string,
  options: { headers?: Record<string, string>; init?: Record<string, unknown> | null } = {},
): RawSocket {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: options.headers });
  const messages: RawSocket['messages'] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const wake of waiters.splice(0)) wake();
    });
    ws.on('error', () => {});
  });
  if (options.init !== null) {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: options.init ?? {} })));
  }
  const socket: RawSocket = {
    messages,
    closed,
    send(message) {
      const data = typeof message === 'string' ? message : JSON.stringify(message);
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
      else ws.once('open', () => ws.send(data));
    },
    async next(type) {
      for (;;) {
        const found = messages.find((m) => m.type === type);
        if (found) {
          messages.splice(messages.indexOf(found), 1);
          return found;
        }
        if (ws.readyState === WebSocket.CLOSED) {
          const { code, reason } = await closed;
          throw new Error(`socket closed (${code} ${reason}) before a ${type} message`);
        }
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
    close() {
      ws.close();
    },
  };
  return socket;
}
