import { createUniqueId } from 'solid-js';
import { ENTRY_NOTE_MAX_LENGTH } from '../../../server/ledger/limits';
import { noteCount } from '../lib/credit';

/** A team-only note with a live counter: an entry's note unless `maxLength` says otherwise (session notes). */
export function NoteField(props: {
  value: string;
  onInput: (value: string) => void;
  label?: string;
  id?: string;
  rows?: number;
  autofocus?: boolean;
  maxLength?: number;
}) {
  const id = props.id ?? createUniqueId();
  const max = () => props.maxLength ?? ENTRY_NOTE_MAX_LENGTH;
  const count = () => noteCount(props.value, max());
  return (
    <div class="field">
      <label for={id}>{props.label ?? 'Note (team only, optional)'}</label>
      <textarea
        id={id}
        rows={props.rows ?? 3}
        value={props.value}
        autofocus={props.autofocus}
        aria-describedby={`${id}-count`}
        aria-invalid={count().over}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <span id={`${id}-count`} class="counter" classList={{ 'counter-over': count().over }} aria-live="polite">
        {count().label}
        {count().over ? ` — ${count().length - max()} over the limit` : ''}
      </span>
    </div>
  );
}
