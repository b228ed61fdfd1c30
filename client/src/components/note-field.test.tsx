import { fireEvent, render, screen } from '@solidjs/testing-library';
import { createSignal } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { SESSION_NOTES_MAX_LENGTH } from '../../../server/ledger/limits';
import { NoteField } from './note-field';

describe('NoteField', () => {
  it('is labelled, counts to 500 and marks a note that is too long', () => {
    const [value, setValue] = createSignal('');
    render(() => <NoteField value={value()} onInput={setValue} />);
    const box = screen.getByLabelText('Note (team only, optional)') as HTMLTextAreaElement;
    const counter = document.getElementById(box.getAttribute('aria-describedby')!)!;
    expect(counter.textContent).toBe('0/500');
    fireEvent.input(box, { target: { value: 'Paid cash' } });
    expect(counter.textContent).toBe('9/500');
    expect(box.getAttribute('aria-invalid')).toBe('false');
    fireEvent.input(box, { target: { value: 'x'.repeat(503) } });
    expect(counter.textContent).toBe('503/500 — 3 over the limit');
    expect(box.getAttribute('aria-invalid')).toBe('true');
  });

  it("counts session notes to the server's own limit for them", () => {
    render(() => (
      <NoteField label="Notes" value={'x'.repeat(1_999)} onInput={() => {}} maxLength={SESSION_NOTES_MAX_LENGTH} />
    ));
    const box = screen.getByLabelText('Notes');
    expect(document.getElementById(box.getAttribute('aria-describedby')!)!.textContent).toBe('1999/2000');
  });
});
