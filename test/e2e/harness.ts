import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type App, buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { Database } from '../../server/db/index.ts';
import { createTestDatabase } from '../../server/db/test-db.ts';

export const DIST = resolve(fileURLToPath(new URL('../../client/dist', import.meta.url)));

/** Real time plus an offset the test moves: "late" is reached by moving the clock, not waiting. */
export class ShiftedClock {
  offsetMs = 0;
  now = () => new Date(Date.now() + this.offsetMs);
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * One origin for the browser: client/dist with an SPA fallback to index.html, and /graphql
 * (HTTP and WebSocket upgrades) passed through to the API. This is what the server itself will
 * do once it serves the web app; until then the e2e run does it here.
 */
export function serveClient(apiPort: number): Promise<{ server: Server; port: number }> {
  const index = readFileSync(join(DIST, 'index.html'));
  const isApi = (url: string | undefined) => /^\/graphql(\/|\?|$)/.test(url ?? '');

  const server = createServer((req, res) => {
    if (isApi(req.url)) {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: apiPort, method: req.method, path: req.url, headers: req.headers },
        (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(DIST, path));
    if (file.startsWith(DIST) && existsSync(file) && statSync(file).isFile()) {
      const immutable = path.startsWith('/assets/');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      res.end(readFileSync(file));
      return;
    }
    if (path.startsWith('/assets/')) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' });
    res.end(index);
  });

  // WebSocket upgrades: replay the request head to the API and splice the two sockets.
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    if (!isApi(req.url)) return socket.destroy();
    const upstream = connect(apiPort, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
    upstream.on('close', end);
    socket.on('close', end);
  });

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise({ server, port: (server.address() as AddressInfo).port }));
  });
}

export interface Stack {
  url: string;
  clock: ShiftedClock;
  app: App;
  db: Database;
  close(): Promise<void>;
}

/** The real API on an in-memory PGlite, plus the built web app on the same origin. */
export async function startStack(): Promise<Stack> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('client/dist is missing: run `npm run build:client` first (npm run test:e2e does).');
  }
  const clock = new ShiftedClock();
  const db = await createTestDatabase();
  const app = await buildApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO: 'never' }), {
    database: db,
    now: clock.now,
  });
  const { port: apiPort } = await app.start();
  // Once the server serves the web app itself, test exactly that; until then, serve it here.
  const served = await fetch(`http://127.0.0.1:${apiPort}/clients`)
    .then(async (r) => r.ok && (await r.text()).includes('id="root"'))
    .catch(() => false);
  const web = served ? null : await serveClient(apiPort);
  return {
    url: `http://127.0.0.1:${web ? web.port : apiPort}`,
    clock,
    app,
    db,
    async close() {
      if (web) {
        web.server.closeAllConnections();
        await new Promise<void>((r) => web.server.close(() => r()));
      }
      await app.stop();
      await db.close();
    },
  };
}
