import { useClient } from '@urql/solid';
import { createSignal, Show } from 'solid-js';
import { ProblemAlert } from '../components/alert';
import { graphql } from '../gql';
import type { Problem } from '../lib/error';
import { formatDate } from '../lib/format';
import { mutate } from '../lib/mutate';

const CreateShareLinkDocument = graphql(`
  mutation CreateShareLink($clientId: ID!) {
    createShareLink(clientId: $clientId) {
      __typename
      ... on ShareLink {
        token
        path
        createdAt
      }
      ...ProblemFields
    }
  }
`);

const RevokeShareLinkDocument = graphql(`
  mutation RevokeShareLink($clientId: ID!) {
    revokeShareLink(clientId: $clientId) {
      __typename
      ... on Client {
        id
      }
      ...ProblemFields
    }
  }
`);

/** The client's own live balance page: a link the studio shares; revoking it ends access at once. */
export function ShareLinkSection(props: {
  clientId: string;
  clientName: string;
  link: { path: string; createdAt: string } | null | undefined;
  onChanged: () => void;
}) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [copied, setCopied] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const url = () => (props.link ? new URL(props.link.path, window.location.origin).toString() : '');

  const create = async () => {
    setBusy(true);
    const outcome = await mutate(client, CreateShareLinkDocument, { clientId: props.clientId });
    setBusy(false);
    setProblem(outcome.problem);
    setCopied(false);
    props.onChanged();
  };
  const revoke = async () => {
    if (!window.confirm(`Revoke ${props.clientName}'s share link? The page stops working at once.`)) return;
    setBusy(true);
    const outcome = await mutate(client, RevokeShareLinkDocument, { clientId: props.clientId });
    setBusy(false);
    setProblem(outcome.problem);
    props.onChanged();
  };
  const copy = async () => {
    await navigator.clipboard?.writeText(url()).catch(() => undefined);
    setCopied(true);
  };

  return (
    <section class="card stack" aria-labelledby="share-title">
      <div class="section-header">
        <h2 id="share-title">Share link</h2>
      </div>
      <ProblemAlert problem={problem()} />
      <Show
        when={props.link}
        fallback={
          <div class="row">
            <p class="muted grow">
              A private page where {props.clientName} sees their own credits, live. No login needed.
            </p>
            <button type="button" class="button" disabled={busy()} onClick={create}>
              Create share link
            </button>
          </div>
        }
      >
        {(link) => (
          <>
            <div class="copy-row">
              <label class="sr-only" for="share-url">
                Share link address
              </label>
              <input id="share-url" readOnly value={url()} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" class="button small" onClick={copy}>
                {copied() ? 'Copied' : 'Copy'}
              </button>
            </div>
            <div class="row">
              <span class="muted small grow">
                Created {formatDate(link().createdAt)}. Anyone with the link sees the balance.
              </span>
              <a class="button small ghost" href={url()} target="_blank" rel="noopener">
                Open
              </a>
              <button type="button" class="button small ghost" disabled={busy()} onClick={revoke}>
                Revoke
              </button>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
