import { useClient } from '@urql/solid';
import { createMemo, createSignal, For, Match, Show, Switch } from 'solid-js';
import { SESSION_NOTES_MAX_LENGTH } from '../../../server/ledger/limits';
import { Alert, ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { NoteField } from '../components/note-field';
import { graphql } from '../gql';
import { type CreditBalanceLine, noteCount, previewBooking, usableFor } from '../lib/credit';
import { type Problem, plural } from '../lib/error';
import { formatDateTime, newKey, toLocalInput } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';
import type { UsablePackage } from './log-session-dialog';

const BookSessionDocument = graphql(`
  mutation BookSession($input: BookSessionInput!) {
    bookSession(input: $input) {
      __typename
      ... on SessionPayload {
        balance
        session {
          id
          startsAt
          cancellationOutcome
        }
      }
      ...ProblemFields
    }
  }
`);

function nextHour(days: number): Date {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return d;
}

/** Books a future session; a credit-requiring type takes one credit now, or is refused. */
export function BookSessionDialog(props: {
  client: { id: string; name: string };
  creditBalances: CreditBalanceLine[];
  packages: UsablePackage[];
  sessionTypes: { id: string; name: string; requiresCredits: boolean }[];
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const key = newKey();
  const [sessionTypeId, setSessionTypeId] = createSignal(props.sessionTypes[0]?.id ?? '');
  const [packageId, setPackageId] = createSignal('');
  const [startsAt, setStartsAt] = createSignal(toLocalInput(nextHour(1)));
  const [notes, setNotes] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);

  const type = () => props.sessionTypes.find((t) => t.id === sessionTypeId());
  const preview = createMemo(() => {
    const t = type();
    if (!t) return null;
    const usable = packageId()
      ? (props.packages.find((p) => p.id === packageId())?.remainingCredits ?? 0)
      : usableFor(props.creditBalances, t.id);
    return previewBooking(t.requiresCredits, usable);
  });
  const packagesForType = () => props.packages.filter((p) => !p.sessionType || p.sessionType.id === sessionTypeId());

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!type() || preview()?.kind === 'short' || noteCount(notes(), SESSION_NOTES_MAX_LENGTH).over) return;
    setBusy(true);
    const outcome = await mutate(client, BookSessionDocument, {
      input: {
        clientId: props.client.id,
        sessionTypeId: sessionTypeId(),
        startsAt: new Date(startsAt()).toISOString(),
        packageId: type()?.requiresCredits && packageId() ? packageId() : null,
        notes: notes().trim() || null,
        idempotencyKey: key,
      },
    });
    setBusy(false);
    setProblem(outcome.problem);
    const value = outcome.value;
    if (value?.__typename === 'SessionPayload') {
      notify(props.client.id);
      props.onDone(
        `Booked for ${formatDateTime(value.session.startsAt)} · ${value.balance} ${plural(value.balance, 'credit')} left`,
      );
    }
  };

  return (
    <Dialog title={`Book session · ${props.client.name}`} onClose={props.onClose}>
      <Show
        when={props.sessionTypes.length > 0}
        fallback={
          <Alert tone="info">
            Bookings are for a session type. An owner or admin can add session types in Settings.
          </Alert>
        }
      >
        <form class="stack" onSubmit={submit}>
          <ProblemAlert problem={problem()} />
          <div class="field">
            <label for="book-type">Session type</label>
            <select
              id="book-type"
              value={sessionTypeId()}
              onChange={(e) => {
                setSessionTypeId(e.currentTarget.value);
                setPackageId('');
              }}
              autofocus
            >
              <For each={props.sessionTypes}>
                {(t) => (
                  <option value={t.id}>
                    {t.requiresCredits ? '🪙 ' : ''}
                    {t.name}
                    {t.requiresCredits ? ' (uses a credit)' : ''}
                  </option>
                )}
              </For>
            </select>
          </div>
          <div class="field">
            <label for="book-when">Starts at</label>
            <input
              id="book-when"
              type="datetime-local"
              required
              value={startsAt()}
              min={toLocalInput(new Date())}
              onInput={(e) => setStartsAt(e.currentTarget.value)}
            />
          </div>
          <Show when={type()?.requiresCredits && packagesForType().length > 1}>
            <div class="field">
              <label for="book-package">Package</label>
              <select id="book-package" value={packageId()} onChange={(e) => setPackageId(e.currentTarget.value)}>
                <option value="">First to expire (automatic)</option>
                <For each={packagesForType()}>
                  {(p) => (
                    <option value={p.id}>
                      {p.name} — {p.remainingCredits} left
                    </option>
                  )}
                </For>
              </select>
            </div>
          </Show>
          <div aria-live="polite">
            <Switch>
              <Match when={preview()?.kind === 'free'}>
                <p class="preview">This session type needs no credit.</p>
              </Match>
              <Match when={preview()?.kind === 'ok' && preview()}>
                {(p) => {
                  const ok = p() as { balance: number; after: number };
                  return (
                    <p class="preview" data-testid="booking-preview">
                      Credit balance: <strong>{ok.balance}</strong> · Balance after booking: <strong>{ok.after}</strong>
                    </p>
                  );
                }}
              </Match>
              <Match when={preview()?.kind === 'short'}>
                <Alert tone="warn">
                  <strong>Not enough credits.</strong> {props.client.name} has no usable credits for {type()?.name}.
                  Issue credits or add a package before booking.
                </Alert>
              </Match>
            </Switch>
          </div>
          <NoteField label="Notes (optional)" value={notes()} onInput={setNotes} maxLength={SESSION_NOTES_MAX_LENGTH} />
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => props.onClose()}>
              Cancel
            </button>
            <button
              type="submit"
              class="button primary"
              disabled={busy() || preview()?.kind === 'short' || noteCount(notes(), SESSION_NOTES_MAX_LENGTH).over}
            >
              {busy() ? 'Booking…' : 'Book session'}
            </button>
          </div>
        </form>
      </Show>
    </Dialog>
  );
}
