import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/**
 * The hint "team T has something new": the only thing pub/sub carries. The database is the
 * truth, so a lost hint costs latency (the next poll catches up), never an event.
 */
export type Hint = { teamId: string; kind: 'entries' | 'access' };

export interface Signal {
  publish(hint: Hint): void;
  subscribe(listener: (hint: Hint) => void): () => void;
  /** False while hints may be lost (Redis unreachable): feeds then poll the database often. */
  healthy(): boolean;
  close(): Promise<void>;
}

/** One server instance: hints stay in the process. */
export function memorySignal(): Signal {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish: (hint) => emitter.emit('hint', hint),
    subscribe(listener) {
      emitter.on('hint', listener);
      return () => emitter.off('hint', listener);
    },
    healthy: () => true,
    async close() {
      emitter.removeAllListeners();
    },
  };
}

const CHANNEL = 'punchcard:hints';

/**
 * Several instances: hints go through Redis pub/sub. Local listeners hear local hints at once
 * (no round trip), and every hint from other instances through Redis. ioredis reconnects by
 * itself; while either connection is down the signal reports unhealthy.
 */
export function redisSignal(url: string, onError: (message: string) => void = () => {}): Signal {
  const options = {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (n: number) => Math.min(n * 200, 2000),
  };
  const pub = new Redis(url, options);
  const sub = new Redis(url, { ...options, enableOfflineQueue: true });
  const origin = Math.random().toString(36).slice(2);
  const local = memorySignal();
  let lastError = '';
  const report = (error: Error) => {
    if (error.message !== lastError) onError(`Redis: ${error.message}`);
    lastError = error.message;
  };
  pub.on('error', report);
  sub.on('error', report);
  pub.on('ready', () => {
    lastError = '';
  });
  void sub.subscribe(CHANNEL).catch(report);
  sub.on('message', (_channel: string, message: string) => {
    const { origin: from, ...hint } = JSON.parse(message) as Hint & { origin: string };
    if (from !== origin) local.publish(hint);
  });
  return {
    publish(hint) {
      local.publish(hint);
      pub.publish(CHANNEL, JSON.stringify({ ...hint, origin })).catch(report);
    },
    subscribe: local.subscribe,
    healthy: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      await local.close();
      pub.disconnect();
      sub.disconnect();
    },
  };
}
