import { describe, expect, it } from 'vitest';
import {
  bulkSummary,
  cancelWording,
  noteCount,
  previewBooking,
  previewCredits,
  typeBalance,
  usableFor,
} from './credit';

const lines = [
  { sessionTypeId: 'st-1', sessionTypeName: '1-on-1', remainingCredits: 4, archived: false },
  { sessionTypeId: null, sessionTypeName: null, remainingCredits: 2, archived: false },
  { sessionTypeId: 'st-old', sessionTypeName: 'Yoga', remainingCredits: 5, archived: true },
];

describe('credit previews', () => {
  it('shows the new credit balance for issuing and removing', () => {
    expect(previewCredits('issue', 4, '3')).toEqual({ ok: true, balance: 4, newBalance: 7 });
    expect(previewCredits('remove', 4, '3')).toEqual({ ok: true, balance: 4, newBalance: 1 });
    expect(previewCredits('remove', 4, '4')).toEqual({ ok: true, balance: 4, newBalance: 0 });
  });

  it('refuses what the server would refuse, in words', () => {
    expect(previewCredits('remove', 4, '5')).toMatchObject({ ok: false, reason: 'Only 4 credits can be removed.' });
    expect(previewCredits('remove', 1, '2')).toMatchObject({ ok: false, reason: 'Only 1 credit can be removed.' });
    expect(previewCredits('issue', 0, '')).toMatchObject({ ok: false, reason: 'Enter a number of credits.' });
    for (const bad of ['0', '-2', '1.5', 'abc']) {
      expect(previewCredits('issue', 0, bad)).toMatchObject({ ok: false, newBalance: null });
    }
  });

  it('a type balance is its own packages; usable credits add untyped ones and skip archived types', () => {
    expect(typeBalance(lines, 'st-1')).toBe(4);
    expect(typeBalance(lines, null)).toBe(2);
    expect(typeBalance(lines, 'st-none')).toBe(0);
    expect(usableFor(lines, 'st-1')).toBe(6);
    expect(usableFor(lines, 'st-old')).toBe(2);
    // A session of no type is served by untyped packages only, never by a type's own.
    expect(usableFor(lines, null)).toBe(2);
    expect(usableFor(lines, 'st-none')).toBe(2);
  });

  it('previews a booking: the balance after it, or a refusal without a credit', () => {
    expect(previewBooking(true, 6)).toEqual({ kind: 'ok', balance: 6, after: 5 });
    expect(previewBooking(true, 0)).toEqual({ kind: 'short', balance: 0 });
    expect(previewBooking(false, 0)).toEqual({ kind: 'free' });
  });
});

describe('cancel wording', () => {
  it('says whether the credit returns or is voided, with the window', () => {
    expect(cancelWording('RETURN', 24)).toMatchObject({
      title: 'Early cancel: the credit will be returned',
      tone: 'ok',
    });
    expect(cancelWording('RETURN', 24).detail).toContain('24-hour cancellation window');
    expect(cancelWording('VOID', 12)).toMatchObject({ title: 'Late cancel: the credit will be voided', tone: 'warn' });
    expect(cancelWording('VOID', 12).detail).toContain('forfeited');
    expect(cancelWording('NONE', null).title).toBe('No credit is involved');
  });
});

describe('note counter', () => {
  it('counts characters as the server does: trimmed code points', () => {
    expect(noteCount('hello').label).toBe('5/500');
    expect(noteCount('  hi  ').length).toBe(2);
    expect(noteCount('é'.repeat(500))).toMatchObject({ length: 500, over: false, left: 0 });
    expect(noteCount('😀'.repeat(501))).toMatchObject({ length: 501, over: true, left: -1 });
  });
});

describe('bulk-log summary', () => {
  it('one line per client, failures with their reason', () => {
    const summary = bulkSummary(
      [
        { clientId: 'a', ok: true, client: { name: 'Amy' }, result: { balance: 2, session: { direct: false } } },
        {
          clientId: 'b',
          ok: false,
          client: { name: 'Ben' },
          error: {
            __typename: 'InsufficientCredits',
            code: 'InsufficientCredits',
            message: 'Ben has 0 usable credits.',
          },
        },
        { clientId: 'm', ok: true, client: null, result: { balance: 0, session: { direct: true } } },
      ],
      { m: 'Mo' },
    );
    expect(summary.headline).toBe('Logged 2 of 3; 1 not logged.');
    expect(summary.lines).toEqual([
      { clientId: 'a', name: 'Amy', ok: true, detail: 'Logged · 2 credits left' },
      { clientId: 'b', name: 'Ben', ok: false, detail: 'Ben has 0 usable credits.' },
      { clientId: 'm', name: 'Mo', ok: true, detail: 'Logged as a direct session' },
    ]);
    expect(
      bulkSummary([{ clientId: 'a', ok: true, result: { balance: 1, session: { direct: false } } }]).headline,
    ).toBe('Logged 1 session.');
  });
});
