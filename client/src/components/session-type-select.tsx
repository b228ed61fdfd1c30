import { For } from 'solid-js';

/** The "Session type" field of the logging dialogs; empty = no session type. */
export function SessionTypeSelect(props: {
  id: string;
  value: string;
  onChange: (id: string) => void;
  sessionTypes: readonly { id: string; name: string }[];
}) {
  return (
    <div class="field">
      <label for={props.id}>Session type</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">Any (no session type)</option>
        <For each={props.sessionTypes}>{(t) => <option value={t.id}>{t.name}</option>}</For>
      </select>
    </div>
  );
}
