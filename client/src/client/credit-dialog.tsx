import { useClient } from '@urql/solid';
import { createMemo, createSignal, createUniqueId, For, Show } from 'solid-js';
import { ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { NoteField } from '../components/note-field';
import { graphql } from '../gql';
import { type CreditBalanceLine, noteCount, previewCredits, typeBalance, usableFor } from '../lib/credit';
import { type Problem, plural } from '../lib/error';
import { newKey, toDayInput } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';

const IssueCreditsDocument = graphql(`
  mutation IssueCredits($input: IssueCreditsInput!) {
    issueCredits(input: $input) {
      __typename
      ... on Package {
        id
        name
        remainingCredits
      }
      ...ProblemFields
    }
  }
`);

const RemoveCreditsDocument = graphql(`
  mutation RemoveCredits($input: RemoveCreditsInput!) {
    removeCredits(input: $input) {
      __typename
      ... on RemoveCreditsPayload {
        balance
      }
      ...ProblemFields
    }
  }
`);

const ANY = '__any__';

/**
 * Issue or remove credits for one session type, showing the "Credit balance" now and the
 * "New credit balance" the change would leave before anything is confirmed.
 */
export function CreditDialog(props: {
  mode: 'issue' | 'remove';
  client: { id: string; name: string };
  creditBalances: CreditBalanceLine[];
  /** Issue: credit-requiring, unarchived types. Remove: types the client holds credits of. */
  sessionTypes: { id: string; name: string; archived?: boolean }[];
  initialSessionTypeId?: string | null;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const key = newKey();
  const ids = { type: createUniqueId(), amount: createUniqueId(), expiry: createUniqueId() };
  const issuing = () => props.mode === 'issue';
  const untyped = () =>
    !issuing() && props.creditBalances.some((l) => l.sessionTypeId == null && l.remainingCredits > 0);
  const initial =
    props.initialSessionTypeId === null ? ANY : (props.initialSessionTypeId ?? props.sessionTypes[0]?.id ?? '');
  const [sessionTypeId, setSessionTypeId] = createSignal(initial);
  const [amount, setAmount] = createSignal('1');
  const [expiresOn, setExpiresOn] = createSignal('');
  const [note, setNote] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);

  const selectedType = () => (sessionTypeId() === ANY ? null : sessionTypeId());
  // Issuing shows the usable balance Book session shows; removing is limited to the type's own packages.
  const balance = () =>
    issuing() ? usableFor(props.creditBalances, selectedType()) : typeBalance(props.creditBalances, selectedType());
  const preview = createMemo(() => previewCredits(props.mode, balance(), amount()));
  const canSubmit = () => preview().ok && (sessionTypeId() !== '' || untyped()) && !noteCount(note()).over;

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!canSubmit()) return;
    setBusy(true);
    const credits = Number(amount());
    const common = { clientId: props.client.id, credits, note: note().trim() || null, idempotencyKey: key };
    const outcome = issuing()
      ? await mutate(client, IssueCreditsDocument, {
          input: { ...common, sessionTypeId: sessionTypeId(), expiresOn: expiresOn() || null },
        })
      : await mutate(client, RemoveCreditsDocument, { input: { ...common, sessionTypeId: selectedType() } });
    setBusy(false);
    setProblem(outcome.problem);
    if (!outcome.value) return;
    notify(props.client.id);
    props.onDone(
      issuing()
        ? `Issued ${credits} ${plural(credits, 'credit')} to ${props.client.name}`
        : `Removed ${credits} ${plural(credits, 'credit')} from ${props.client.name}`,
    );
  };

  return (
    <Dialog title={issuing() ? 'Issue credits' : 'Remove credits'} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for={ids.type}>Session type</label>
          <select
            id={ids.type}
            value={sessionTypeId()}
            onChange={(e) => setSessionTypeId(e.currentTarget.value)}
            aria-describedby={`${ids.type}-balance`}
            autofocus
          >
            <Show when={props.sessionTypes.length === 0 && !untyped()}>
              <option value="">No session types to choose</option>
            </Show>
            <For each={props.sessionTypes}>
              {(t) => (
                <option value={t.id}>
                  {t.name}
                  {t.archived ? ' (Archived)' : ''}
                </option>
              )}
            </For>
            <Show when={untyped()}>
              <option value={ANY}>Any session type</option>
            </Show>
          </select>
          <span id={`${ids.type}-balance`} class="hint" data-testid="credit-balance">
            Credit balance: <strong>{balance()}</strong>
          </span>
          <Show when={issuing()}>
            <span class="hint">Only session types that require credits are listed.</span>
          </Show>
        </div>
        <div class="field">
          <label for={ids.amount}>{issuing() ? 'Credits to issue' : 'Credits to remove'}</label>
          <input
            id={ids.amount}
            name="credits"
            type="number"
            inputmode="numeric"
            min="1"
            step="1"
            required
            value={amount()}
            onInput={(e) => setAmount(e.currentTarget.value)}
            aria-describedby={`${ids.amount}-new`}
            aria-invalid={!preview().ok}
          />
          <span id={`${ids.amount}-new`} class="hint" aria-live="polite" data-testid="new-credit-balance">
            <Show
              when={preview().ok}
              fallback={<span class="warn-text">{(preview() as { reason: string }).reason}</span>}
            >
              New credit balance: <strong>{preview().newBalance}</strong>
            </Show>
          </span>
        </div>
        <Show when={issuing()}>
          <div class="field">
            <label for={ids.expiry}>Expires on (optional)</label>
            <input
              id={ids.expiry}
              type="date"
              min={toDayInput(new Date(Date.now() + 86_400_000))}
              value={expiresOn()}
              onInput={(e) => setExpiresOn(e.currentTarget.value)}
            />
          </div>
        </Show>
        <NoteField value={note()} onInput={setNote} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button
            type="submit"
            class={issuing() ? 'button primary' : 'button danger'}
            disabled={busy() || !canSubmit()}
          >
            {busy() ? 'Saving…' : issuing() ? 'Issue credits' : 'Remove credits'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
