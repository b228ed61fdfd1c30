import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { SESSION_NOTES_MAX_LENGTH } from '../../../server/ledger/limits';
import { LOG_STATUSES, statusHint } from '../clients/bulk-log-dialog';
import { ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { NoteField } from '../components/note-field';
import { SessionTypeSelect } from '../components/session-type-select';
import { graphql } from '../gql';
import type { BillingType, SessionStatus } from '../gql/graphql';
import { noteCount } from '../lib/credit';
import { type Problem, plural } from '../lib/error';
import { formatDay, newKey, STATUS_LABEL, toLocalInput } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';

const LogSessionDocument = graphql(`
  mutation LogSession($input: LogSessionInput!) {
    logSession(input: $input) {
      __typename
      ... on SessionPayload {
        balance
        session {
          id
          status
          direct
        }
        package {
          id
          name
          remainingCredits
        }
      }
      ...ProblemFields
    }
  }
`);

export interface UsablePackage {
  id: string;
  name: string;
  remainingCredits: number;
  expiresOn?: string | null;
  sessionType?: { id: string; name: string } | null;
}

/** Logs a past session: package clients choose the package; the others get a direct session. */
export function LogSessionDialog(props: {
  client: { id: string; name: string; billingType: BillingType };
  packages: UsablePackage[];
  sessionTypes: { id: string; name: string; requiresCredits: boolean }[];
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const key = newKey();
  const isPackageClient = () => props.client.billingType === 'PACKAGE';
  const [packageId, setPackageId] = createSignal('');
  const [sessionTypeId, setSessionTypeId] = createSignal('');
  const [status, setStatus] = createSignal<SessionStatus>('COMPLETED');
  const [startsAt, setStartsAt] = createSignal(toLocalInput(new Date()));
  const [notes, setNotes] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);

  const type = () => props.sessionTypes.find((t) => t.id === sessionTypeId());
  // The ledger's rule: a package limited to a type serves only that type; untyped ones serve any session.
  const packagesForType = () => props.packages.filter((p) => !p.sessionType || p.sessionType.id === sessionTypeId());
  const freeType = () => type()?.requiresCredits === false;
  const usesCredit = () => isPackageClient() && status() !== 'CANCELLED' && !freeType();
  // What logging will do, in the words the result will use.
  const statusText = () =>
    !isPackageClient()
      ? 'Recorded as a direct session: no credits move.'
      : freeType()
        ? `${type()?.name} does not require credits: logged as a direct session, no credits move.`
        : statusHint(status());
  const chooseType = (id: string) => {
    setSessionTypeId(id);
    setPackageId(''); // a package chosen for another type might not serve this one
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (noteCount(notes(), SESSION_NOTES_MAX_LENGTH).over) return;
    setBusy(true);
    const outcome = await mutate(client, LogSessionDocument, {
      input: {
        clientId: props.client.id,
        status: status(),
        packageId: usesCredit() && packageId() ? packageId() : null,
        sessionTypeId: sessionTypeId() || null,
        startsAt: startsAt() ? new Date(startsAt()).toISOString() : null,
        notes: notes().trim() || null,
        idempotencyKey: key,
      },
    });
    setBusy(false);
    setProblem(outcome.problem);
    const value = outcome.value;
    if (value?.__typename === 'SessionPayload') {
      notify(props.client.id);
      const label = STATUS_LABEL[value.session.status];
      props.onDone(
        value.package
          ? `${label} session logged on ${value.package.name} · ${value.balance} ${plural(value.balance, 'credit')} left`
          : `${label} session logged as a direct session`,
      );
    }
  };

  return (
    <Dialog title={`Log session · ${props.client.name}`} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for="log-status">Status</label>
          <select
            id="log-status"
            value={status()}
            onChange={(e) => setStatus(e.currentTarget.value as SessionStatus)}
            aria-describedby="log-status-hint"
            autofocus
          >
            <For each={LOG_STATUSES}>{(s) => <option value={s}>{STATUS_LABEL[s]}</option>}</For>
          </select>
          <span id="log-status-hint" class="hint" data-testid="log-outcome">
            {statusText()}
          </span>
        </div>
        <SessionTypeSelect
          id="log-type"
          value={sessionTypeId()}
          onChange={chooseType}
          sessionTypes={props.sessionTypes}
        />
        <Show when={usesCredit()}>
          <div class="field">
            <label for="log-package">Package</label>
            <select id="log-package" value={packageId()} onChange={(e) => setPackageId(e.currentTarget.value)}>
              <option value="">First to expire (automatic)</option>
              <For each={packagesForType()}>
                {(p) => (
                  <option value={p.id}>
                    {p.name} — {p.remainingCredits} left{p.expiresOn ? ` · expires ${formatDay(p.expiresOn)}` : ''}
                  </option>
                )}
              </For>
            </select>
            <Show when={packagesForType().length === 0}>
              <span class="hint warn-text" data-testid="no-usable-package">
                {type() ? `No usable package for ${type()?.name}` : 'No usable package for a session with no type'}: add
                a package or issue credits first.
              </span>
            </Show>
          </div>
        </Show>
        <div class="field">
          <label for="log-when">When</label>
          <input
            id="log-when"
            type="datetime-local"
            value={startsAt()}
            onInput={(e) => setStartsAt(e.currentTarget.value)}
          />
        </div>
        <NoteField label="Notes (optional)" value={notes()} onInput={setNotes} maxLength={SESSION_NOTES_MAX_LENGTH} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button
            type="submit"
            class="button primary"
            disabled={busy() || noteCount(notes(), SESSION_NOTES_MAX_LENGTH).over}
          >
            {busy() ? 'Logging…' : 'Log session'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
