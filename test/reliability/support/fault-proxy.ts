import { type AddressInfo, createServer, type Server, Socket } from 'node:net';

export type ProxyMode = 'up' | 'refuse' | 'blackhole';

/**
 * A loopback TCP proxy with two ways to fail, to stand in front of the machine's shared
 * PostgreSQL or Redis without touching them:
 * - `refuse`: every open connection is reset and new ones are closed at once — what clients see
 *   while a database restarts;
 * - `blackhole`: connections stay open but nothing gets through either way, and new ones are
 *   accepted and then ignored — a network partition, where only timeouts can tell.
 * `up` again forwards new connections; connections cut by `refuse` stay cut, blackholed ones
 * are reset when the hole closes (the peer has long given up on them).
 */
export class FaultProxy {
  private server: Server;
  private pairs = new Set<{ client: Socket; upstream: Socket | null }>();
  mode: ProxyMode = 'up';
  port = 0;
  /** Connections accepted, by mode at the time. */
  readonly accepted: Record<ProxyMode, number> = { up: 0, refuse: 0, blackhole: 0 };

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      this.accepted[this.mode]++;
      client.on('error', () => {});
      if (this.mode === 'refuse') {
        client.resetAndDestroy();
        return;
      }
      const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
      this.pairs.add(pair);
      client.on('close', () => {
        pair.upstream?.destroy();
        this.pairs.delete(pair);
      });
      if (this.mode === 'blackhole') {
        client.pause(); // accepted, never answered
        return;
      }
      const upstream = new Socket();
      pair.upstream = upstream;
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      upstream.connect(this.targetPort, this.targetHost);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  set(mode: ProxyMode) {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'refuse') {
      for (const { client, upstream } of this.pairs) {
        client.resetAndDestroy();
        upstream?.destroy();
      }
      this.pairs.clear();
    } else if (mode === 'blackhole') {
      for (const { client, upstream } of this.pairs) {
        client.unpipe();
        upstream?.unpipe();
        client.pause();
        upstream?.pause();
      }
    } else if (was === 'blackhole') {
      for (const { client, upstream } of this.pairs) {
        client.resetAndDestroy();
        upstream?.destroy();
      }
      this.pairs.clear();
    }
  }

  async close() {
    this.set('refuse');
    await new Promise((resolve) => this.server.close(resolve));
  }
}
