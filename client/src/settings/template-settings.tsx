import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { type TemplateOption, templateSummary } from '../client/new-package-dialog';
import { ProblemAlert } from '../components/alert';
import { graphql } from '../gql';
import type { Problem } from '../lib/error';
import { formatPrice, parsePrice } from '../lib/format';
import { mutate } from '../lib/mutate';

const CreatePackageTemplateDocument = graphql(`
  mutation CreatePackageTemplate($input: PackageTemplateInput!) {
    createPackageTemplate(input: $input) {
      __typename
      ... on PackageTemplate {
        id
      }
      ...ProblemFields
    }
  }
`);

const UpdatePackageTemplateDocument = graphql(`
  mutation UpdatePackageTemplate($id: ID!, $input: PackageTemplateInput!) {
    updatePackageTemplate(id: $id, input: $input) {
      __typename
      ... on PackageTemplate {
        id
      }
      ...ProblemFields
    }
  }
`);

const DeletePackageTemplateDocument = graphql(`
  mutation DeletePackageTemplate($id: ID!) {
    deletePackageTemplate(id: $id) {
      __typename
      ... on DeletedPayload {
        deletedId
      }
      ...ProblemFields
    }
  }
`);

export function TemplateSettings(props: {
  templates: TemplateOption[];
  sessionTypes: { id: string; name: string }[];
  onChanged: () => void;
}) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [editing, setEditing] = createSignal<TemplateOption | null>(null);
  let form!: HTMLFormElement;

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    const priceCents = parsePrice(String(data.get('priceCents') ?? ''));
    if (Number.isNaN(priceCents)) {
      setProblem({ title: 'Please check the form', message: 'Enter the price as a number, like 450 or 49.90.' });
      return;
    }
    const expiry = String(data.get('expiryDays') ?? '').trim();
    const input = {
      name: String(data.get('name')).trim(),
      credits: Number(data.get('credits')),
      priceCents,
      expiryDays: expiry ? Number(expiry) : null,
      sessionTypeId: String(data.get('sessionTypeId') ?? '') || null,
    };
    const current = editing();
    const outcome = current
      ? await mutate(client, UpdatePackageTemplateDocument, { id: current.id, input })
      : await mutate(client, CreatePackageTemplateDocument, { input });
    setProblem(outcome.problem);
    if (outcome.problem?.field) form.querySelector<HTMLElement>(`[name="${outcome.problem.field}"]`)?.focus();
    if (!outcome.problem) {
      form.reset();
      setEditing(null);
      props.onChanged();
    }
  };
  const remove = async (t: TemplateOption) => {
    if (!window.confirm(`Delete the template "${t.name}"? Packages made from it keep their values.`)) return;
    const outcome = await mutate(client, DeletePackageTemplateDocument, { id: t.id });
    setProblem(outcome.problem);
    props.onChanged();
  };
  const edit = (t: TemplateOption) => {
    setEditing(t);
    form.querySelector<HTMLInputElement>('[name="name"]')?.focus();
  };

  return (
    <section class="card stack" aria-labelledby="templates-title">
      <h2 id="templates-title">Package templates</h2>
      <p class="muted">Saved defaults: new packages are one click away on a client's profile.</p>
      <ProblemAlert problem={problem()} />
      <Show when={props.templates.length > 0} fallback={<p class="muted">No templates yet.</p>}>
        <ul class="settings-list">
          <For each={props.templates}>
            {(t) => (
              <li>
                <span class="grow">
                  <strong>{t.name}</strong>
                  <span class="sub">{templateSummary(t)}</span>
                </span>
                <button type="button" class="button small ghost" onClick={() => edit(t)}>
                  Edit
                </button>
                <button type="button" class="button small ghost" onClick={() => remove(t)}>
                  Delete
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form ref={form} class="stack" onSubmit={submit} aria-labelledby="template-form-title">
        <h3 id="template-form-title">{editing() ? `Edit ${editing()?.name}` : 'New template'}</h3>
        <div class="field-row">
          <div class="field grow">
            <label for="tpl-name">Name</label>
            <input id="tpl-name" name="name" required value={editing()?.name ?? ''} placeholder="10-Session Pack" />
          </div>
          <div class="field">
            <label for="tpl-credits">Sessions</label>
            <input id="tpl-credits" name="credits" type="number" min="1" required value={editing()?.credits ?? ''} />
          </div>
        </div>
        <div class="field-row">
          <div class="field">
            <label for="tpl-price">Price (optional)</label>
            <input
              id="tpl-price"
              name="priceCents"
              inputmode="decimal"
              value={editing()?.priceCents != null ? formatPrice(editing()?.priceCents).replace(/,/g, '') : ''}
            />
          </div>
          <div class="field">
            <label for="tpl-expiry">Expires after (days, optional)</label>
            <input id="tpl-expiry" name="expiryDays" type="number" min="1" value={editing()?.expiryDays ?? ''} />
          </div>
          <div class="field">
            <label for="tpl-type">Session type</label>
            <select id="tpl-type" name="sessionTypeId" value={editing()?.sessionType?.id ?? ''}>
              <option value="">Any session type</option>
              <For each={props.sessionTypes}>{(t) => <option value={t.id}>{t.name}</option>}</For>
            </select>
          </div>
        </div>
        <div class="row">
          <button type="submit" class="button primary">
            {editing() ? 'Save template' : 'Add template'}
          </button>
          <Show when={editing()}>
            <button
              type="button"
              class="button"
              onClick={() => {
                setEditing(null);
                form.reset();
              }}
            >
              Cancel
            </button>
          </Show>
        </div>
      </form>
    </section>
  );
}
