import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { Alert, ProblemAlert } from '../components/alert';
import { graphql } from '../gql';
import type { ApiKeyScope } from '../gql/graphql';
import type { Problem } from '../lib/error';
import { formatDate } from '../lib/format';
import { mutate } from '../lib/mutate';

const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($name: String!, $scope: ApiKeyScope!) {
    createApiKey(name: $name, scope: $scope) {
      __typename
      ... on CreatedApiKey {
        key
        apiKey {
          id
          name
        }
      }
      ...ProblemFields
    }
  }
`);

const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      __typename
      ... on ApiKey {
        id
        revokedAt
      }
      ...ProblemFields
    }
  }
`);

const SCOPE_LABEL: Record<ApiKeyScope, string> = {
  READ: 'Read only',
  READ_WRITE: 'Read and write',
};

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scope: ApiKeyScope;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
  createdBy: { name: string };
}

/** Keys for booking sites, CRMs and payroll: the secret is shown once, at creation. */
export function ApiKeySettings(props: { keys: ApiKeyRow[]; onChanged: () => void }) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [created, setCreated] = createSignal<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = createSignal(false);
  let form!: HTMLFormElement;

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    const outcome = await mutate(client, CreateApiKeyDocument, {
      name: String(data.get('name')).trim(),
      scope: data.get('scope') as ApiKeyScope,
    });
    setProblem(outcome.problem);
    if (outcome.value?.__typename === 'CreatedApiKey') {
      setCreated({ name: outcome.value.apiKey.name, key: outcome.value.key });
      setCopied(false);
      form.reset();
      props.onChanged();
    }
  };
  const revoke = async (key: ApiKeyRow) => {
    if (!window.confirm(`Revoke the key "${key.name}"? Apps using it stop working at once.`)) return;
    const outcome = await mutate(client, RevokeApiKeyDocument, { id: key.id });
    setProblem(outcome.problem);
    props.onChanged();
  };
  const copy = async () => {
    await navigator.clipboard?.writeText(created()?.key ?? '').catch(() => undefined);
    setCopied(true);
  };

  return (
    <section class="card stack" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p class="muted">For booking sites, CRMs and payroll tools using the GraphQL API.</p>
      <ProblemAlert problem={problem()} />
      <Show when={props.keys.length > 0} fallback={<p class="muted">No API keys yet.</p>}>
        <ul class="settings-list">
          <For each={props.keys}>
            {(k) => (
              <li classList={{ archived: Boolean(k.revokedAt) }}>
                <span class="grow">
                  <strong>{k.name}</strong> <code>{k.prefix}…</code>
                  <span class="sub">
                    {SCOPE_LABEL[k.scope]} · created {formatDate(k.createdAt)} by {k.createdBy.name} ·{' '}
                    {k.lastUsedAt ? `last used ${formatDate(k.lastUsedAt)}` : 'never used'}
                  </span>
                </span>
                <Show when={!k.revokedAt} fallback={<span class="badge">Revoked {formatDate(k.revokedAt)}</span>}>
                  <button type="button" class="button small ghost" onClick={() => revoke(k)}>
                    Revoke
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form ref={form} class="inline-form" onSubmit={create} aria-label="Create an API key">
        <div class="field grow">
          <label for="key-name">Key name</label>
          <input id="key-name" name="name" required placeholder="Booking site" />
        </div>
        <div class="field">
          <label for="key-scope">Access</label>
          <select id="key-scope" name="scope">
            <option value="READ">{SCOPE_LABEL.READ}</option>
            <option value="READ_WRITE">{SCOPE_LABEL.READ_WRITE}</option>
          </select>
        </div>
        <button type="submit" class="button primary">
          Create API key
        </button>
      </form>
      <Show when={created()}>
        {(c) => (
          <Alert tone="ok">
            <p>
              Key <strong>{c().name}</strong> created. Copy it now: it is shown only once. Send it as{' '}
              <code>Authorization: Bearer &lt;key&gt;</code>.
            </p>
            <div class="copy-row">
              <label class="sr-only" for="new-api-key">
                New API key
              </label>
              <input id="new-api-key" readOnly value={c().key} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" class="button small" onClick={copy}>
                {copied() ? 'Copied' : 'Copy'}
              </button>
            </div>
          </Alert>
        )}
      </Show>
    </section>
  );
}
