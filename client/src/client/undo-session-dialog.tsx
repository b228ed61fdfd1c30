import { useClient } from '@urql/solid';
import { createSignal, Show } from 'solid-js';
import { ProblemAlert } from '../components/alert';
import { Dialog } from '../components/dialog';
import { graphql } from '../gql';
import { type Problem, plural } from '../lib/error';
import { formatDateTime, newKey, STATUS_LABEL } from '../lib/format';
import { mutate } from '../lib/mutate';
import { useNotify } from '../live/refresh';

const UndoSessionDocument = graphql(`
  mutation UndoSession($sessionId: ID!, $idempotencyKey: String) {
    undoSession(sessionId: $sessionId, idempotencyKey: $idempotencyKey) {
      __typename
      ... on SessionPayload {
        balance
        session {
          id
          undone
        }
      }
      ...ProblemFields
    }
  }
`);

export function UndoSessionDialog(props: {
  session: {
    id: string;
    startsAt: string;
    status: keyof typeof STATUS_LABEL;
    creditUsed: boolean;
    package?: { name: string } | null;
  };
  clientId: string;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const client = useClient();
  const notify = useNotify();
  const key = newKey();
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const undo = async () => {
    setBusy(true);
    const outcome = await mutate(client, UndoSessionDocument, { sessionId: props.session.id, idempotencyKey: key });
    setBusy(false);
    setProblem(outcome.problem);
    if (outcome.value?.__typename === 'SessionPayload') {
      notify(props.clientId);
      props.onDone(`Session undone · ${outcome.value.balance} ${plural(outcome.value.balance, 'credit')} left`);
    }
  };
  return (
    <Dialog title="Undo session" onClose={props.onClose}>
      <div class="stack">
        <ProblemAlert problem={problem()} />
        <p>
          {STATUS_LABEL[props.session.status]} session on <strong>{formatDateTime(props.session.startsAt)}</strong>{' '}
          leaves the session history.
        </p>
        <Show
          when={props.session.creditUsed && props.session.package}
          fallback={<p class="muted">No credit moves: it was a direct session or used no credit.</p>}
        >
          <p>
            The credit goes back to <strong>{props.session.package?.name}</strong>. The balance history keeps both
            lines.
          </p>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={() => props.onClose()} autofocus>
            Keep it
          </button>
          <button type="button" class="button danger" disabled={busy()} onClick={undo}>
            {busy() ? 'Undoing…' : 'Undo session'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
