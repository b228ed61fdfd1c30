import { createQuery, useClient } from '@urql/solid';
import { createSignal, Show } from 'solid-js';
import { Alert, Loading, ProblemAlert, QueryError } from '../components/alert';
import { Dialog } from '../components/dialog';
import { NoteField } from '../components/note-field';
import { graphql } from '../gql';
import { type CancellationOutcome, cancelWording, noteCount } from '../lib/credit';
import { type Problem, plural } from '../lib/error';
import { formatDateTime, newKey } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';

const CancelPreviewDocument = graphql(`
  query CancelPreview($id: ID!) {
    node(id: $id) {
      __typename
      ... on Session {
        id
        startsAt
        status
        cancellationOutcome
        cancelWindowHours
        sessionType {
          id
          name
        }
      }
    }
  }
`);

const CancelSessionDocument = graphql(`
  mutation CancelSession($sessionId: ID!, $note: String, $idempotencyKey: String) {
    cancelSession(sessionId: $sessionId, note: $note, idempotencyKey: $idempotencyKey) {
      __typename
      ... on SessionPayload {
        balance
        session {
          id
          status
          creditUsed
        }
      }
      ...ProblemFields
    }
  }
`);

/** The outcome shown before confirming: early → the credit returns; late → it is voided. */
export function CancelOutcome(props: { outcome: CancellationOutcome; windowHours: number | null | undefined }) {
  const wording = () => cancelWording(props.outcome, props.windowHours);
  return (
    <Alert tone={wording().tone}>
      <strong data-testid="cancel-outcome">{wording().title}.</strong> {wording().detail}
    </Alert>
  );
}

export function CancelSessionDialog(props: {
  sessionId: string;
  clientId: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const key = newKey();
  // Time passes while a page is open: ask the server what cancelling *now* would do.
  const [preview, refetch] = createQuery({
    query: CancelPreviewDocument,
    variables: () => ({ id: props.sessionId }),
    requestPolicy: 'network-only',
  });
  const [note, setNote] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const session = () => {
    const node = preview.data?.node;
    return node?.__typename === 'Session' ? node : null;
  };

  const confirm = async (e: SubmitEvent) => {
    e.preventDefault();
    if (noteCount(note()).over) return;
    setBusy(true);
    const outcome = await mutate(client, CancelSessionDocument, {
      sessionId: props.sessionId,
      note: note().trim() || null,
      idempotencyKey: key,
    });
    setBusy(false);
    setProblem(outcome.problem);
    const value = outcome.value;
    if (value?.__typename === 'SessionPayload') {
      notify(props.clientId);
      const balance = `${value.balance} ${plural(value.balance, 'credit')} left`;
      props.onDone(
        value.session.status === 'LATE_CANCELLED'
          ? `Late cancel: the credit was voided · ${balance}`
          : `Cancelled early: ${value.session.creditUsed ? '' : 'the credit was returned · '}${balance}`,
      );
    } else {
      refetch({ requestPolicy: 'network-only' });
    }
  };

  return (
    <Dialog title="Cancel session" onClose={props.onClose}>
      <QueryError error={preview.error} retry={() => refetch({ requestPolicy: 'network-only' })} />
      <Show when={session()} fallback={<Show when={!preview.error}>{<Loading />}</Show>}>
        {(s) => (
          <form class="stack" onSubmit={confirm}>
            <ProblemAlert problem={problem()} />
            <p>
              {s().sessionType?.name ?? 'Session'} on <strong>{formatDateTime(s().startsAt)}</strong>
            </p>
            <CancelOutcome outcome={s().cancellationOutcome} windowHours={s().cancelWindowHours} />
            <NoteField value={note()} onInput={setNote} />
            <div class="dialog-actions">
              <button type="button" class="button" onClick={() => props.onClose()}>
                Keep booking
              </button>
              <button
                type="submit"
                class="button danger"
                disabled={busy() || noteCount(note()).over || s().status !== 'BOOKED'}
              >
                {busy() ? 'Cancelling…' : 'Confirm cancel'}
              </button>
            </div>
          </form>
        )}
      </Show>
    </Dialog>
  );
}
