import { createQuery, useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { Empty, Loading, ProblemAlert, QueryError } from '../components/alert';
import { NoteField } from '../components/note-field';
import { ShowMore } from '../components/show-more';
import { graphql } from '../gql';
import type { LedgerEvent } from '../gql/graphql';
import { noteCount } from '../lib/credit';
import type { Problem } from '../lib/error';
import { EVENT_LABEL, formatDateTime } from '../lib/format';
import { mutate } from '../lib/mutate';
import { createLiveRefetch } from '../live/refresh';

const BalanceHistoryDocument = graphql(`
  query BalanceHistory($clientId: ID!, $first: Int!, $events: [LedgerEvent!], $sessionTypeId: ID) {
    balanceHistory(clientId: $clientId, first: $first, events: $events, sessionTypeId: $sessionTypeId) {
      edges {
        node {
          id
          sequence
          event
          amount
          balanceAfter
          note
          actorName
          createdAt
          session {
            id
            startsAt
          }
          sessionType {
            id
            name
            archived
          }
          package {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

const UpdateLedgerNoteDocument = graphql(`
  mutation UpdateLedgerNote($entryId: ID!, $note: String) {
    updateLedgerNote(entryId: $entryId, note: $note) {
      __typename
      ... on LedgerEntry {
        id
        note
      }
      ...ProblemFields
    }
  }
`);

const EVENTS = Object.keys(EVENT_LABEL) as LedgerEvent[];
const PAGE = 25;

/** Signed amounts; VOIDED shows none (the credit was already used at booking). */
export function formatAmount(event: LedgerEvent, amount: number | null | undefined): string {
  if (event === 'VOIDED' || amount == null) return '—';
  return amount > 0 ? `+${amount}` : `${amount}`;
}

/** The team-only note of one entry: shown, or edited in place with the 500-character counter. */
export function NoteEditor(props: { entryId: string; note: string | null | undefined; onSaved?: () => void }) {
  const client = useClient();
  const [editing, setEditing] = createSignal(false);
  const [text, setText] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const open = () => {
    setText(props.note ?? '');
    setProblem(null);
    setEditing(true);
  };
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    if (noteCount(text()).over) return;
    setBusy(true);
    const outcome = await mutate(client, UpdateLedgerNoteDocument, { entryId: props.entryId, note: text().trim() });
    setBusy(false);
    setProblem(outcome.problem);
    if (!outcome.problem) {
      setEditing(false);
      props.onSaved?.();
    }
  };
  return (
    <Show
      when={editing()}
      fallback={
        <button
          type="button"
          class="note-button"
          classList={{ 'note-empty': !props.note }}
          onClick={open}
          aria-label={props.note ? `Edit note: ${props.note}` : 'Add note'}
        >
          {props.note ?? '+ Note'}
        </button>
      }
    >
      <form class="note-form stack-sm" onSubmit={save}>
        <ProblemAlert problem={problem()} />
        <NoteField label="Note" value={text()} onInput={setText} autofocus rows={2} />
        <div class="row">
          <button type="submit" class="button primary small" disabled={busy() || noteCount(text()).over}>
            Save
          </button>
          <button type="button" class="button small" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Show>
  );
}

export function BalanceHistory(props: { clientId: string; sessionTypes: { id: string; name: string }[] }) {
  const [event, setEvent] = createSignal<LedgerEvent | ''>('');
  const [sessionTypeId, setSessionTypeId] = createSignal('');
  const [first, setFirst] = createSignal(PAGE);
  const [history, refetch] = createQuery({
    query: BalanceHistoryDocument,
    variables: () => ({
      clientId: props.clientId,
      first: first(),
      events: event() ? [event() as LedgerEvent] : null,
      sessionTypeId: sessionTypeId() || null,
    }),
  });
  createLiveRefetch(() => refetch({ requestPolicy: 'network-only' }), { clientId: () => props.clientId });
  const entries = () => history.data?.balanceHistory.edges.map((e) => e.node) ?? [];
  const filtered = () => Boolean(event() || sessionTypeId());

  return (
    <section class="card stack" aria-labelledby="balance-history-title">
      <div class="section-header">
        <h2 id="balance-history-title">Balance history</h2>
      </div>
      <div class="filters">
        <div class="field">
          <label for="history-type">Session type</label>
          <select id="history-type" value={sessionTypeId()} onChange={(e) => setSessionTypeId(e.currentTarget.value)}>
            <option value="">All session types</option>
            <For each={props.sessionTypes}>{(t) => <option value={t.id}>{t.name}</option>}</For>
          </select>
        </div>
        <div class="field">
          <label for="history-event">Event</label>
          <select
            id="history-event"
            value={event()}
            onChange={(e) => setEvent(e.currentTarget.value as LedgerEvent | '')}
          >
            <option value="">All events</option>
            <For each={EVENTS}>{(ev) => <option value={ev}>{EVENT_LABEL[ev]}</option>}</For>
          </select>
        </div>
      </div>
      <QueryError error={history.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      <Show when={history.data} fallback={<Show when={!history.error}>{<Loading />}</Show>}>
        <Show
          when={entries().length > 0}
          fallback={<Empty title={filtered() ? 'No entries match these filters' : 'No credit movements yet'} />}
        >
          <div class="table-wrap">
            <table class="table history-table" aria-label="Balance history">
              <thead>
                <tr>
                  <th>Date</th>
                  <th>Event</th>
                  <th class="hide-phone">Session type</th>
                  <th class="num">Amount</th>
                  <th class="num">Balance</th>
                  <th class="hide-phone">By</th>
                  <th>Note</th>
                </tr>
              </thead>
              <tbody>
                <For each={entries()}>
                  {(entry) => (
                    <tr data-event={entry.event}>
                      <td class="nowrap">
                        {formatDateTime(entry.createdAt)}
                        <Show when={entry.session}>
                          {(session) => (
                            <a class="sub" href={`#session-${session().id}`} data-testid="entry-session">
                              Session {formatDateTime(session().startsAt)}
                            </a>
                          )}
                        </Show>
                      </td>
                      <td>
                        <span class={`event event-${entry.event.toLowerCase()}`}>{EVENT_LABEL[entry.event]}</span>
                        <span class="sub show-phone">{entry.actorName}</span>
                      </td>
                      <td class="hide-phone">
                        {entry.sessionType?.name ?? entry.package?.name ?? '—'}
                        <Show when={entry.sessionType?.archived}>
                          <span class="badge">Archived</span>
                        </Show>
                      </td>
                      <td class="num" classList={{ pos: (entry.amount ?? 0) > 0, neg: (entry.amount ?? 0) < 0 }}>
                        {formatAmount(entry.event, entry.amount)}
                      </td>
                      <td class="num">{entry.balanceAfter}</td>
                      <td class="hide-phone">{entry.actorName}</td>
                      <td class="note-cell">
                        <NoteEditor
                          entryId={entry.id}
                          note={entry.note}
                          onSaved={() => refetch({ requestPolicy: 'network-only' })}
                        />
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <ShowMore
            hasMore={history.data?.balanceHistory.pageInfo.hasNextPage}
            shown={first()}
            onMore={() => setFirst(first() + PAGE)}
          >
            Show older entries
          </ShowMore>
        </Show>
      </Show>
    </section>
  );
}
