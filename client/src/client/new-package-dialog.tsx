import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { NoteField } from '../components/note-field';
import { graphql } from '../gql';
import type { CreatePackageInput } from '../gql/graphql';
import { noteCount } from '../lib/credit';
import { type Problem, plural } from '../lib/error';
import { formatPrice, newKey, parsePrice, toDayInput } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';

const CreatePackageDocument = graphql(`
  mutation CreatePackage($input: CreatePackageInput!) {
    createPackage(input: $input) {
      __typename
      ... on Package {
        id
        name
        totalCredits
      }
      ...ProblemFields
    }
  }
`);

export interface TemplateOption {
  id: string;
  name: string;
  credits: number;
  priceCents?: number | null;
  expiryDays?: number | null;
  sessionType?: { id: string; name: string } | null;
}

export function templateSummary(t: TemplateOption): string {
  const parts = [`${t.credits} ${plural(t.credits, 'credit')}`];
  if (t.priceCents != null) parts.push(formatPrice(t.priceCents));
  if (t.expiryDays != null) parts.push(`expires after ${t.expiryDays} ${plural(t.expiryDays, 'day')}`);
  if (t.sessionType) parts.push(t.sessionType.name);
  return parts.join(' · ');
}

/** A package from a template in one click, or by hand. */
export function NewPackageDialog(props: {
  client: { id: string; name: string };
  templates: TemplateOption[];
  sessionTypes: { id: string; name: string }[];
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [note, setNote] = createSignal('');
  let form!: HTMLFormElement;

  const create = async (input: Omit<CreatePackageInput, 'clientId' | 'idempotencyKey'>) => {
    setBusy(true);
    const outcome = await mutate(client, CreatePackageDocument, {
      input: { clientId: props.client.id, idempotencyKey: newKey(), ...input },
    });
    setBusy(false);
    setProblem(outcome.problem);
    if (outcome.problem?.field) form?.querySelector<HTMLElement>(`[name="${outcome.problem.field}"]`)?.focus();
    if (outcome.value?.__typename === 'Package') {
      notify(props.client.id);
      props.onDone(`${outcome.value.name} added · ${outcome.value.totalCredits} credits`);
    }
  };

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    const priceCents = parsePrice(String(data.get('priceCents') ?? ''));
    if (Number.isNaN(priceCents)) {
      setProblem({ title: 'Please check the form', message: 'Enter the price as a number, like 450 or 49.90.' });
      form.querySelector<HTMLElement>('[name="priceCents"]')?.focus();
      return;
    }
    if (noteCount(note()).over) return;
    void create({
      name: String(data.get('name') ?? '').trim(),
      credits: Number(data.get('credits')),
      priceCents,
      expiresOn: String(data.get('expiresOn') ?? '') || null,
      sessionTypeId: String(data.get('sessionTypeId') ?? '') || null,
      note: note().trim() || null,
    });
  };

  return (
    <Dialog title={`New package · ${props.client.name}`} onClose={props.onClose} wide>
      <div class="stack">
        <ProblemAlert problem={problem()} />
        <Show when={props.templates.length > 0}>
          <section aria-labelledby="tpl-title" class="stack-sm">
            <h3 id="tpl-title">From a template</h3>
            <ul class="template-list">
              <For each={props.templates}>
                {(t) => (
                  <li>
                    <button
                      type="button"
                      class="template-button"
                      disabled={busy()}
                      onClick={() => create({ templateId: t.id })}
                    >
                      <span class="template-name">{t.name}</span>
                      <span class="template-detail">{templateSummary(t)}</span>
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </section>
        </Show>
        <form ref={form} class="stack" onSubmit={submit} aria-labelledby="by-hand-title">
          <h3 id="by-hand-title">{props.templates.length > 0 ? 'Or by hand' : 'By hand'}</h3>
          <div class="field-row">
            <div class="field grow">
              <label for="pkg-name">Name</label>
              <input id="pkg-name" name="name" required placeholder="10-Session Pack" />
            </div>
            <div class="field">
              <label for="pkg-credits">Total sessions</label>
              <input id="pkg-credits" name="credits" type="number" min="1" step="1" required inputmode="numeric" />
            </div>
          </div>
          <div class="field-row">
            <div class="field">
              <label for="pkg-price">Price (optional, records only)</label>
              <input id="pkg-price" name="priceCents" inputmode="decimal" placeholder="450.00" />
            </div>
            <div class="field">
              <label for="pkg-expiry">Expires on (optional)</label>
              <input id="pkg-expiry" name="expiresOn" type="date" min={toDayInput(new Date(Date.now() + 86_400_000))} />
            </div>
          </div>
          <div class="field">
            <label for="pkg-type">Session type</label>
            <select id="pkg-type" name="sessionTypeId">
              <option value="">Any session type</option>
              <For each={props.sessionTypes}>{(t) => <option value={t.id}>{t.name}</option>}</For>
            </select>
          </div>
          <NoteField value={note()} onInput={setNote} />
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => props.onClose()}>
              Cancel
            </button>
            <button type="submit" class="button primary" disabled={busy()}>
              {busy() ? 'Adding…' : 'Add package'}
            </button>
          </div>
        </form>
      </div>
    </Dialog>
  );
}
