import { A } from '@solidjs/router';
import { createQuery } from '@urql/solid';
import { createMemo, For, Show } from 'solid-js';
import { graphql } from '../gql';
import type { LedgerEvent, SessionStatus } from '../gql/graphql';
import { EVENT_LABEL, STATUS_LABEL, timeAgo } from '../lib/format';
import type { LiveEvent } from '../live/connection';
import { useLive } from '../live/refresh';

const ClientNamesDocument = graphql(`
  query ClientNames($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Client {
        id
        name
      }
    }
  }
`);

export function describeEvent(e: LiveEvent): string {
  if (e.entry) {
    const event = e.entry.event as LedgerEvent;
    const amount = e.entry.amount;
    const credits =
      event === 'VOIDED' || amount == null
        ? '1 credit'
        : `${Math.abs(amount)} ${Math.abs(amount) === 1 ? 'credit' : 'credits'}`;
    return `${EVENT_LABEL[event] ?? event} ${credits} · balance ${e.entry.balanceAfter}`;
  }
  if (e.sessionEvent) {
    const status = e.sessionEvent.status as SessionStatus | null | undefined;
    const change = e.sessionEvent.change.toLowerCase().replace(/_/g, ' ');
    return `Session ${change}${status ? ` (${STATUS_LABEL[status] ?? status})` : ''}`;
  }
  return String(e.kind).toLowerCase().replace(/_/g, ' ');
}

/**
 * What the team did lately, newest first. The live connection holds it: the latest events read
 * with its cursor, then each one since, once (also what it replays after a drop).
 */
export function ActivityFeed() {
  const live = useLive();
  const events = () => live?.recent() ?? [];
  const ids = createMemo(() => [...new Set(events().map((e) => e.clientId))].sort(), undefined, {
    equals: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
  });
  const [names] = createQuery({
    query: ClientNamesDocument,
    variables: () => ({ ids: ids() }),
    pause: () => ids().length === 0,
    requestPolicy: 'cache-first',
  });
  const nameOf = (id: string) => {
    for (const n of names.data?.nodes ?? []) if (n?.__typename === 'Client' && n.id === id) return n.name;
    return 'a client';
  };
  return (
    <Show
      when={events().length > 0}
      fallback={
        <p class="muted">
          {live?.status() === 'live'
            ? 'Waiting for activity. Sessions and credits your team logs appear here as they happen.'
            : 'The live feed shows activity once the live connection is up.'}
        </p>
      }
    >
      <ol class="feed" aria-live="polite" aria-label="Live activity">
        <For each={events()}>
          {(e) => (
            <li>
              <span class="feed-who">{e.entry?.actorName ?? e.sessionEvent?.actorName ?? 'Someone'}</span>
              <span class="feed-what">
                {describeEvent(e)} · <A href={`/clients/${encodeURIComponent(e.clientId)}`}>{nameOf(e.clientId)}</A>
              </span>
              <time class="feed-when" dateTime={e.createdAt}>
                {timeAgo(e.createdAt)}
              </time>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
