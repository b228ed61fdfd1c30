import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { LOGGABLE_STATUSES, SESSION_NOTES_MAX_LENGTH } from '../../../server/ledger/limits';
import { ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { NoteField } from '../components/note-field';
import { SessionTypeSelect } from '../components/session-type-select';
import { graphql } from '../gql';
import type { SessionStatus } from '../gql/graphql';
import { bulkSummary, noteCount } from '../lib/credit';
import type { Problem } from '../lib/error';
import { newKey, STATUS_LABEL } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';

export const BulkLogSessionsDocument = graphql(`
  mutation BulkLogSessions($input: BulkLogSessionsInput!) {
    bulkLogSessions(input: $input) {
      __typename
      ... on BulkLogPayload {
        succeeded
        failed
        results {
          clientId
          ok
          client {
            id
            name
          }
          result {
            balance
            session {
              id
              direct
            }
          }
          error {
            __typename
            code
            message
          }
        }
      }
      ...ProblemFields
    }
  }
`);

/** The statuses the API logs with, from the server's own list. */
export const LOG_STATUSES: readonly SessionStatus[] = LOGGABLE_STATUSES;

export function statusHint(status: SessionStatus): string {
  return status === 'CANCELLED' ? 'Cancelled early: uses no credit.' : 'Uses one credit from package clients.';
}

/** One status for many clients; each client gets its own result line. */
export function BulkLogDialog(props: {
  clients: { id: string; name: string }[];
  sessionTypes: { id: string; name: string; requiresCredits: boolean }[];
  onClose: () => void;
  onLogged?: () => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const key = newKey(); // a retry of this dialog's submit logs nobody twice
  const [status, setStatus] = createSignal<SessionStatus>('COMPLETED');
  const [sessionTypeId, setSessionTypeId] = createSignal('');
  const [notes, setNotes] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [summary, setSummary] = createSignal<ReturnType<typeof bulkSummary> | null>(null);
  const names = () => Object.fromEntries(props.clients.map((c) => [c.id, c.name]));

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (noteCount(notes(), SESSION_NOTES_MAX_LENGTH).over) return;
    setBusy(true);
    const outcome = await mutate(client, BulkLogSessionsDocument, {
      input: {
        clientIds: props.clients.map((c) => c.id),
        status: status(),
        sessionTypeId: sessionTypeId() || null,
        notes: notes().trim() || null,
        idempotencyKey: key,
      },
    });
    setBusy(false);
    setProblem(outcome.problem);
    if (outcome.value?.__typename === 'BulkLogPayload') {
      setSummary(bulkSummary(outcome.value.results, names()));
      notify(null);
      props.onLogged?.();
    }
  };

  return (
    <Dialog
      title={summary() ? 'Bulk log result' : `Bulk log ${props.clients.length} clients`}
      onClose={props.onClose}
      wide
    >
      <Show
        when={summary()}
        fallback={
          <form class="stack" onSubmit={submit} id="bulk-log-form">
            <ProblemAlert problem={problem()} />
            <p class="muted">
              {props.clients.map((c) => c.name).join(', ')}. Package clients use a credit from their own package; the
              others get a direct session.
            </p>
            <div class="field">
              <label for="bulk-status">Status</label>
              <select
                id="bulk-status"
                value={status()}
                onChange={(e) => setStatus(e.currentTarget.value as SessionStatus)}
                aria-describedby="bulk-status-hint"
              >
                <For each={LOG_STATUSES}>{(s) => <option value={s}>{STATUS_LABEL[s]}</option>}</For>
              </select>
              <span id="bulk-status-hint" class="hint">
                {statusHint(status())}
              </span>
            </div>
            <SessionTypeSelect
              id="bulk-type"
              value={sessionTypeId()}
              onChange={setSessionTypeId}
              sessionTypes={props.sessionTypes}
            />
            <NoteField
              label="Notes (optional)"
              value={notes()}
              onInput={setNotes}
              maxLength={SESSION_NOTES_MAX_LENGTH}
            />
            <div class="dialog-actions">
              <button type="button" class="button" onClick={() => props.onClose()}>
                Cancel
              </button>
              <button
                type="submit"
                class="button primary"
                disabled={busy() || noteCount(notes(), SESSION_NOTES_MAX_LENGTH).over}
              >
                {busy() ? 'Logging…' : `Log ${props.clients.length} sessions`}
              </button>
            </div>
          </form>
        }
      >
        {(s) => (
          <div class="stack">
            <p class="alert" classList={{ 'alert-ok': s().failed === 0, 'alert-warn': s().failed > 0 }} role="status">
              {s().headline}
            </p>
            <ul class="result-list" aria-label="Result per client">
              <For each={s().lines}>
                {(line) => (
                  <li classList={{ 'result-ok': line.ok, 'result-failed': !line.ok }}>
                    <span class="result-mark" aria-hidden="true">
                      {line.ok ? '✓' : '!'}
                    </span>
                    <span class="result-name">{line.name}</span>
                    <span class="result-detail">{line.detail}</span>
                  </li>
                )}
              </For>
            </ul>
            <div class="dialog-actions">
              <button type="button" class="button primary" autofocus onClick={() => props.onClose()}>
                Done
              </button>
            </div>
          </div>
        )}
      </Show>
    </Dialog>
  );
}
