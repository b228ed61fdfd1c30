import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * A `ledgerEvents` subscriber that behaves like a good client: when its subscription ends
 * with an error (or completes), it subscribes again after the last sequence it saw, so the
 * server's replay closes any gap. `received` is everything, in arrival order, with duplicates
 * kept, so a test can tell "exactly once, in order" from "eventually".
 */
export function watchLedger(httpUrl: string, token: string, after: number) {
  const received: { sequence: number; at: number }[] = [];
  const errors: string[] = [];
  let closed = false;
  let last = after;
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async () => new Promise((r) => setTimeout(r, 250)),
  });
  let resubscribes = 0;
  const again = () => {
    if (closed) return;
    setTimeout(() => {
      resubscribes++;
      subscribe();
    }, 250);
  };
  const subscribe = () => {
    client.subscribe(
      { query: 'subscription($after: Int) { ledgerEvents(after: $after) { sequence } }', variables: { after: last } },
      {
        next: (value) => {
          if (value.errors?.length) errors.push(value.errors.map((e) => e.message).join('; '));
          const sequence = (value.data as any)?.ledgerEvents?.sequence as number | undefined;
          if (sequence === undefined) return;
          received.push({ sequence, at: Date.now() });
          last = Math.max(last, sequence);
        },
        error: (error) => {
          errors.push(error instanceof Error ? error.message : JSON.stringify(error));
          again();
        },
        complete: again,
      },
    );
  };
  subscribe();
  return {
    received,
    errors,
    get resubscribes() {
      return resubscribes;
    },
    /** Problems with what arrived, given the sequences that exist: gaps, duplicates, disorder. */
    check(expected: number[]): string[] {
      const problems: string[] = [];
      const seen = received.map((r) => r.sequence);
      const dup = seen.filter((s, i) => seen.indexOf(s) !== i);
      if (dup.length) problems.push(`duplicated: ${[...new Set(dup)].slice(0, 10).join(', ')}`);
      const missing = expected.filter((s) => !seen.includes(s));
      if (missing.length) problems.push(`missing ${missing.length}: ${missing.slice(0, 10).join(', ')}`);
      if (seen.some((s, i) => i > 0 && s < seen[i - 1])) problems.push('out of order');
      return problems;
    },
    async close() {
      closed = true;
      await client.dispose();
    },
  };
}
