import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { Alert, ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { graphql } from '../gql';
import type { Problem } from '../lib/error';
import { mutate } from '../lib/mutate';

const CreateSessionTypeDocument = graphql(`
  mutation CreateSessionType($input: CreateSessionTypeInput!) {
    createSessionType(input: $input) {
      __typename
      ... on SessionType {
        id
        name
      }
      ...ProblemFields
    }
  }
`);

const UpdateSessionTypeDocument = graphql(`
  mutation UpdateSessionType($id: ID!, $input: UpdateSessionTypeInput!) {
    updateSessionType(id: $id, input: $input) {
      __typename
      ... on SessionType {
        id
        requiresCredits
        locked
      }
      ...ProblemFields
    }
  }
`);

const ArchiveSessionTypeDocument = graphql(`
  mutation ArchiveSessionType($id: ID!, $archived: Boolean) {
    archiveSessionType(id: $id, archived: $archived) {
      __typename
      ... on ArchiveSessionTypePayload {
        outstandingCredits
        warning
        sessionType {
          id
          archived
        }
      }
      ...ProblemFields
    }
  }
`);

interface SessionTypeRow {
  id: string;
  name: string;
  durationMinutes: number;
  requiresCredits: boolean;
  locked: boolean;
  archived: boolean;
}

export function SessionTypeSettings(props: { sessionTypes: SessionTypeRow[]; onChanged: () => void }) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [notice, setNotice] = createSignal('');
  const [archiving, setArchiving] = createSignal<SessionTypeRow | null>(null);
  let form!: HTMLFormElement;

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    const outcome = await mutate(client, CreateSessionTypeDocument, {
      input: {
        name: String(data.get('name')).trim(),
        durationMinutes: Number(data.get('durationMinutes')) || 60,
        requiresCredits: data.get('requiresCredits') === 'on',
      },
    });
    setProblem(outcome.problem);
    if (!outcome.problem) {
      form.reset();
      setNotice('Session type added.');
      props.onChanged();
    }
  };
  const setRequires = async (t: SessionTypeRow, requiresCredits: boolean) => {
    const outcome = await mutate(client, UpdateSessionTypeDocument, { id: t.id, input: { requiresCredits } });
    setProblem(outcome.problem);
    props.onChanged();
  };
  const archive = async (t: SessionTypeRow, archived: boolean) => {
    const outcome = await mutate(client, ArchiveSessionTypeDocument, { id: t.id, archived });
    setProblem(outcome.problem);
    setArchiving(null);
    if (outcome.value?.__typename === 'ArchiveSessionTypePayload') {
      setNotice(
        archived
          ? (outcome.value.warning ?? `${t.name} archived.`)
          : `${t.name} restored: its credits can be used again.`,
      );
    }
    props.onChanged();
  };

  return (
    <section class="card stack" aria-labelledby="types-title">
      <h2 id="types-title">Session types</h2>
      <ProblemAlert problem={problem()} />
      <Show when={notice()}>
        <Alert tone="info">{notice()}</Alert>
      </Show>
      <Show when={props.sessionTypes.length > 0} fallback={<p class="muted">No session types yet.</p>}>
        <ul class="settings-list">
          <For each={props.sessionTypes}>
            {(t) => (
              <li classList={{ archived: t.archived }}>
                <span class="grow">
                  <strong>{t.name}</strong>
                  <span class="sub">
                    {t.durationMinutes} min
                    <Show when={t.archived}>
                      {' '}
                      <span class="badge">Archived</span>
                    </Show>
                  </span>
                </span>
                <label class="check" title={t.locked ? 'Locked: sessions of this type exist.' : undefined}>
                  <input
                    type="checkbox"
                    checked={t.requiresCredits}
                    disabled={t.locked || t.archived}
                    onChange={(e) => setRequires(t, e.currentTarget.checked)}
                  />
                  Requires credits
                  <Show when={t.locked}>
                    <span class="lock">
                      {' '}
                      <span aria-hidden="true">🔒</span>
                      <span class="sr-only">(locked)</span>
                    </span>
                  </Show>
                </label>
                <Show
                  when={t.archived}
                  fallback={
                    <button type="button" class="button small ghost" onClick={() => setArchiving(t)}>
                      Archive
                    </button>
                  }
                >
                  <button type="button" class="button small ghost" onClick={() => archive(t, false)}>
                    Restore
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <p class="hint">"Requires credits" locks once sessions of the type exist.</p>
      </Show>
      <form ref={form} class="inline-form" onSubmit={create} aria-label="Add a session type">
        <div class="field grow">
          <label for="type-name">New session type</label>
          <input id="type-name" name="name" required placeholder="1-on-1" />
        </div>
        <div class="field">
          <label for="type-duration">Minutes</label>
          <input id="type-duration" name="durationMinutes" type="number" min="5" max="600" value="60" />
        </div>
        <label class="check">
          <input type="checkbox" name="requiresCredits" checked />
          Requires credits
        </label>
        <button type="submit" class="button primary">
          Add session type
        </button>
      </form>
      <Show when={archiving()}>
        {(t) => (
          <Dialog title={`Archive ${t().name}?`} onClose={() => setArchiving(null)}>
            <div class="stack">
              <Alert tone="warn">
                <strong>Clients keep their unused credits of this type visible, marked "Archived".</strong> Those
                credits can no longer be used, and no new credits can be issued for it. You can restore it later.
              </Alert>
              <div class="dialog-actions">
                <button type="button" class="button" onClick={() => setArchiving(null)} autofocus>
                  Keep it
                </button>
                <button type="button" class="button danger" onClick={() => archive(t(), true)}>
                  Archive session type
                </button>
              </div>
            </div>
          </Dialog>
        )}
      </Show>
    </section>
  );
}
