import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

const CLIENT = fileURLToPath(new URL('../client/', import.meta.url));
const SHARE_TOKEN = /^\/b\/([A-Za-z0-9_-]{16,64})\/?$/;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One port for everything: the GraphQL API (and its WebSocket upgrade, handled elsewhere) at
 * /graphql, the public balance page /b/<token> and its widget, the team's web app at /, and
 * `routes` by exact path (the operational endpoints: /healthz, /readyz, /metrics).
 */
export function httpHandler(graphql: Handler, routes: Record<string, Handler> = {}): Handler {
  const widget = readFileSync(`${CLIENT}widget/widget.js`);
  const sharePage = readFileSync(`${CLIENT}widget/share.html`, 'utf8');
  const dist = `${CLIENT}dist`;
  const app = existsSync(`${dist}/index.html`) ? sirv(dist, { single: true, etag: true, gzip: true }) : null;

  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (Object.hasOwn(routes, path)) return routes[path](req, res);
    if (path === '/graphql' || path.startsWith('/graphql/')) return graphql(req, res);
    if (path === '/widget.js') {
      // Embedded on studios' own sites: any origin may load it.
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' });
      return res.end(widget);
    }
    const share = path.match(SHARE_TOKEN);
    if (share) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'referrer-policy': 'no-referrer',
        'x-robots-tag': 'noindex',
      });
      return res.end(sharePage.replace('%TOKEN%', share[1]));
    }
    if (app) return app(req, res, () => notFound(res));
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' });
      return res.end();
    }
    notFound(res);
  };
}

function notFound(res: ServerResponse) {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found');
}
