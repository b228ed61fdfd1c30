import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';

/** The live socket of the logged-in shell, shared by component subscriptions. */
export const liveSocket: { current: WsClient | null } = { current: null };

/**
 * Same-origin requests carry the HttpOnly login cookie; subscriptions share the live socket.
 * `cache-and-network` shows what we have at once and always asks again, so navigating between
 * screens never shows a stale balance for long.
 */
export function createUrqlClient(options: { ws: () => WsClient | null; onUnauthenticated: () => void; url?: string }) {
  return new Client({
    url: options.url ?? '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    // The header marks our requests as not a cross-site form post (the server's CSRF guard).
    fetchOptions: { credentials: 'same-origin', headers: { 'x-graphql-yoga-csrf': '1' } },
    exchanges: [
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'Unauthenticated')) options.onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const ws = options.ws();
              if (!ws) {
                sink.error(new Error('Live updates are not connected.'));
                return { unsubscribe() {} };
              }
              return { unsubscribe: ws.subscribe(input, sink) };
            },
          };
        },
      }),
    ],
  });
}
