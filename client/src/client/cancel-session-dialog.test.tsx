import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api';
import { CancelSessionDialog } from './cancel-session-dialog';

function session(outcome: 'RETURN' | 'VOID') {
  return {
    node: {
      __typename: 'Session',
      id: 's1',
      startsAt: '2026-06-02T10:00:00Z',
      status: 'BOOKED',
      cancellationOutcome: outcome,
      cancelWindowHours: 24,
      sessionType: { __typename: 'SessionType', id: 'st', name: '1-on-1' },
    },
  };
}

describe('Cancel session dialog', () => {
  it('asks the server what cancelling now does and says "returned" before confirming', async () => {
    const api = fakeApi({ CancelPreview: () => session('RETURN') });
    render(() => <CancelSessionDialog sessionId="s1" clientId="c1" onClose={() => {}} onDone={() => {}} />, {
      wrapper: api.wrapper,
    });
    const outcome = await screen.findByTestId('cancel-outcome');
    expect(outcome.textContent).toBe('Early cancel: the credit will be returned.');
    expect(outcome.parentElement?.textContent).toContain('before the 24-hour cancellation window');
    expect(api.calls).toEqual([{ operationName: 'CancelPreview', variables: { id: 's1' } }]);
  });

  it('warns that a late cancel voids the credit, then confirms with the note', async () => {
    const api = fakeApi({
      CancelPreview: () => session('VOID'),
      CancelSession: () => ({
        cancelSession: {
          __typename: 'SessionPayload',
          balance: 4,
          session: { __typename: 'Session', id: 's1', status: 'LATE_CANCELLED', creditUsed: true },
        },
      }),
    });
    const onDone = vi.fn();
    render(() => <CancelSessionDialog sessionId="s1" clientId="c1" onClose={() => {}} onDone={onDone} />, {
      wrapper: api.wrapper,
    });
    expect((await screen.findByTestId('cancel-outcome')).textContent).toBe('Late cancel: the credit will be voided.');
    fireEvent.input(screen.getByLabelText(/Note/), { target: { value: 'Called in sick' } });
    fireEvent.submit(screen.getByRole('button', { name: 'Confirm cancel' }).closest('form')!);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Late cancel: the credit was voided · 4 credits left'));
    expect(api.calls[1]).toMatchObject({
      operationName: 'CancelSession',
      variables: { sessionId: 's1', note: 'Called in sick' },
    });
  });
});
