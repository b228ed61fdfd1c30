import { useClient } from '@urql/solid';
import { createSignal, Show } from 'solid-js';
import { ProblemAlert } from '../components/alert';
import { graphql } from '../gql';
import type { Problem } from '../lib/error';
import { mutate } from '../lib/mutate';

const UpdateTeamSettingsDocument = graphql(`
  mutation UpdateTeamSettings($input: TeamSettingsInput!) {
    updateTeamSettings(input: $input) {
      __typename
      ... on Team {
        id
        name
        cancelWindowHours
        lowCreditThreshold
      }
      ...ProblemFields
    }
  }
`);

export function TeamSettings(props: {
  team: { name: string; cancelWindowHours: number; lowCreditThreshold: number };
  onSaved: () => void;
}) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [saved, setSaved] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  let form!: HTMLFormElement;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    setBusy(true);
    setSaved(false);
    const outcome = await mutate(client, UpdateTeamSettingsDocument, {
      input: {
        name: String(data.get('name')).trim(),
        cancelWindowHours: Number(data.get('cancelWindowHours')),
        lowCreditThreshold: Number(data.get('lowCreditThreshold')),
      },
    });
    setBusy(false);
    setProblem(outcome.problem);
    if (outcome.problem?.field) form.querySelector<HTMLElement>(`[name="${outcome.problem.field}"]`)?.focus();
    if (!outcome.problem) {
      setSaved(true);
      props.onSaved();
    }
  };
  return (
    <section class="card stack" aria-labelledby="team-title">
      <h2 id="team-title">Team</h2>
      <form ref={form} class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for="team-name">Studio name</label>
          <input id="team-name" name="name" required value={props.team.name} />
        </div>
        <div class="field-row">
          <div class="field">
            <label for="team-window">Cancellation window (hours)</label>
            <input
              id="team-window"
              name="cancelWindowHours"
              type="number"
              min="0"
              max="720"
              required
              value={props.team.cancelWindowHours}
              aria-describedby="team-window-hint"
            />
            <span id="team-window-hint" class="hint">
              Cancelling a booking this close to its start forfeits the credit. Bookings keep the window in force when
              they were made.
            </span>
          </div>
          <div class="field">
            <label for="team-low">Low-credit threshold</label>
            <select id="team-low" name="lowCreditThreshold" value={String(props.team.lowCreditThreshold)}>
              <option value="1">1 credit</option>
              <option value="2">2 credits</option>
              <option value="3">3 credits</option>
            </select>
            <span class="hint">Package clients at or below this are marked Low.</span>
          </div>
        </div>
        <div class="row">
          <button type="submit" class="button primary" disabled={busy()}>
            Save team settings
          </button>
          <Show when={saved()}>
            <span class="ok-text" role="status">
              Saved.
            </span>
          </Show>
        </div>
      </form>
    </section>
  );
}
