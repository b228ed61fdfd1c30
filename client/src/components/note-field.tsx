import { createUniqueId } from 'solid-js';
import { NOTE_MAX, noteCount } from '../lib/credit';

/** A team-only note: at most 500 characters, with a live counter. */
export function NoteField(props: {
  value: string;
  onInput: (value: string) => void;
  label?: string;
  id?: string;
  rows?: number;
  autofocus?: boolean;
}) {
  const id = props.id ?? createUniqueId();
  const count = () => noteCount(props.value);
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
        {count().over ? ` — ${count().length - NOTE_MAX} over the limit` : ''}
      </span>
    </div>
  );
}
