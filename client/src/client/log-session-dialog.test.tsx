import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api';
import { LogSessionDialog } from './log-session-dialog';

const client = { id: 'Q2xpZW50OjE=', name: 'Jane Doe', billingType: 'PACKAGE' as const };
const types = [
  { id: 'st-pilates', name: 'Pilates Reformer', requiresCredits: true },
  { id: 'st-intro', name: 'Intro call', requiresCredits: false },
];
const pilatesOnly = [
  { id: 'p1', name: 'Pilates pack', remainingCredits: 6, sessionType: { id: 'st-pilates', name: 'Pilates Reformer' } },
];

function open(onDone = vi.fn(), api = fakeApi({})) {
  render(
    () => (
      <LogSessionDialog
        client={client}
        packages={pilatesOnly}
        sessionTypes={types}
        onClose={() => {}}
        onDone={onDone}
      />
    ),
    { wrapper: api.wrapper },
  );
  return api;
}
const chooseType = (id: string) => fireEvent.change(screen.getByLabelText('Session type'), { target: { value: id } });

describe('Log session dialog', () => {
  it('a type that needs no credits says it logs a direct session, with no package warning', async () => {
    const onDone = vi.fn();
    const api = fakeApi({
      LogSession: () => ({
        logSession: {
          __typename: 'SessionPayload',
          balance: 6,
          session: { __typename: 'Session', id: 's1', status: 'COMPLETED', direct: true },
          package: null,
        },
      }),
    });
    open(onDone, api);
    chooseType('st-intro');
    expect(screen.getByTestId('log-outcome').textContent).toBe(
      'Intro call does not require credits: logged as a direct session, no credits move.',
    );
    expect(screen.queryByLabelText('Package')).toBeNull();
    expect(screen.queryByTestId('no-usable-package')).toBeNull();
    fireEvent.submit(screen.getByRole('button', { name: 'Log session' }).closest('form')!);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Completed session logged as a direct session'));
    expect(api.calls[0].variables.input).toMatchObject({ sessionTypeId: 'st-intro', packageId: null });
  });

  it('a Pilates-only package is offered for Pilates, never for a session with no type', () => {
    open();
    // No type chosen: the Pilates package cannot pay for it.
    expect(screen.getByTestId('no-usable-package').textContent).toMatch(/No usable package for a session with no type/);
    expect(screen.queryByRole('option', { name: /Pilates pack/ })).toBeNull();
    chooseType('st-pilates');
    expect(screen.getByRole('option', { name: /Pilates pack — 6 left/ })).toBeTruthy();
    expect(screen.queryByTestId('no-usable-package')).toBeNull();
    expect(screen.getByTestId('log-outcome').textContent).toBe('Uses one credit from package clients.');
  });
});
