import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { Plugin } from 'graphql-yoga';

/**
 * Content-Security-Policy per kind of page. Scripts only from this origin (GraphiQL's one inline
 * script by its hash); styles may be inline (the widget's shadow root and Solid's style
 * attributes); nothing framed, no plugins. The team's app, GraphiQL and API answers refuse to be
 * framed (clickjacking); the public balance page is made to be embedded, so it may be.
 */
const BASE = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];
export const APP_CSP = [...BASE, "script-src 'self'", "frame-ancestors 'none'"].join('; ');
export const SHARE_PAGE_CSP = [...BASE, "script-src 'self'"].join('; ');
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Every answer: no MIME sniffing, no referrer to other sites. */
export function baseHeaders(res: ServerResponse, csp?: string) {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
  if (csp) res.setHeader('content-security-policy', csp);
}

type GraphiQLOptions = Parameters<typeof renderGraphiQL>[0];

/**
 * GraphiQL from the installed @graphql-yoga/render-graphiql (no CDN: works offline, nothing
 * loaded without integrity checks on our origin). The page is one inline script and blob
 * workers: its CSP allows exactly that script, by hash.
 */
export function graphiql() {
  const pages = new Map<string, { html: string; csp: string }>();
  const page = (options: GraphiQLOptions) => {
    const key = JSON.stringify(options ?? {});
    let found = pages.get(key);
    if (!found) {
      const html = renderGraphiQL(options);
      const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
        ([, script]) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`,
      );
      const csp = [...BASE, `script-src 'self' ${hashes.join(' ')}`, 'worker-src blob:', "frame-ancestors 'none'"].join(
        '; ',
      );
      found = { html, csp };
      pages.set(key, found);
    }
    return found;
  };
  let lastCsp = API_CSP;
  return {
    render(options: GraphiQLOptions) {
      const { html, csp } = page(options);
      lastCsp = csp;
      return html;
    },
    /** Sets the CSP on every /graphql answer: GraphiQL's page or an API answer. */
    plugin(): Plugin {
      return {
        onResponse({ response }) {
          const html = response.headers.get('content-type')?.startsWith('text/html');
          response.headers.set('content-security-policy', html ? lastCsp : API_CSP);
        },
      };
    },
  };
}
