import { useClient } from '@urql/solid';
import { createSignal, For } from 'solid-js';
import { ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { graphql } from '../gql';
import type { BillingType } from '../gql/graphql';
import type { Problem } from '../lib/error';
import { BILLING_LABEL } from '../lib/format';
import { mutate } from '../lib/mutate';

const CreateClientDocument = graphql(`
  mutation CreateClient($input: ClientInput!) {
    createClient(input: $input) {
      __typename
      ... on Client {
        id
        name
      }
      ...ProblemFields
    }
  }
`);

const BILLING_TYPES: BillingType[] = ['PACKAGE', 'PER_SESSION', 'MONTHLY', 'NONE'];

export function NewClientDialog(props: { onClose: () => void; onCreated: (id: string) => void }) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [busy, setBusy] = createSignal(false);
  let form!: HTMLFormElement;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '').trim() || null;
    setBusy(true);
    const outcome = await mutate(client, CreateClientDocument, {
      input: {
        name: text('name'),
        email: text('email'),
        phone: text('phone'),
        billingType: data.get('billingType') as BillingType,
      },
    });
    setBusy(false);
    setProblem(outcome.problem);
    if (outcome.problem?.field) form.querySelector<HTMLElement>(`[name="${outcome.problem.field}"]`)?.focus();
    if (outcome.value?.__typename === 'Client') props.onCreated(outcome.value.id);
  };
  return (
    <Dialog title="New client" onClose={props.onClose}>
      <form ref={form} class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for="client-name">Name</label>
          <input id="client-name" name="name" required autocomplete="off" autofocus />
        </div>
        <div class="field">
          <label for="client-billing">Billing type</label>
          <select id="client-billing" name="billingType" aria-describedby="client-billing-hint">
            <For each={BILLING_TYPES}>{(b) => <option value={b}>{BILLING_LABEL[b]}</option>}</For>
          </select>
          <span id="client-billing-hint" class="hint">
            Package clients use credits; the others get direct sessions.
          </span>
        </div>
        <div class="field-row">
          <div class="field">
            <label for="client-email">Email (optional)</label>
            <input id="client-email" name="email" type="email" autocomplete="off" />
          </div>
          <div class="field">
            <label for="client-phone">Phone (optional)</label>
            <input id="client-phone" name="phone" type="tel" autocomplete="off" />
          </div>
        </div>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy()}>
            {busy() ? 'Adding…' : 'Add client'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
