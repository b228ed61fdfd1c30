import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api';
import { CreditDialog } from './credit-dialog';

const client = { id: 'Q2xpZW50OjE=', name: 'Jane Doe' };
const balances = [{ sessionTypeId: 'st-1', sessionTypeName: '1-on-1', remainingCredits: 4, archived: false }];
const types = [{ id: 'st-1', name: '1-on-1' }];

function amount(label: RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

describe('Issue / Remove credits dialog', () => {
  it('shows "Credit balance" and the "New credit balance" an issue would leave', async () => {
    const api = fakeApi({});
    render(
      () => (
        <CreditDialog
          mode="issue"
          client={client}
          creditBalances={balances}
          sessionTypes={types}
          onClose={() => {}}
          onDone={() => {}}
        />
      ),
      { wrapper: api.wrapper },
    );
    expect(screen.getByTestId('credit-balance').textContent).toBe('Credit balance: 4');
    expect(screen.getByTestId('new-credit-balance').textContent).toBe('New credit balance: 5');
    amount(/Credits to issue/, '3');
    expect(screen.getByTestId('new-credit-balance').textContent).toBe('New credit balance: 7');
  });

  it('Issue credits shows the same usable balance as Book session: untyped packages count for every type', async () => {
    const api = fakeApi({});
    const withOpen = [
      ...balances,
      { sessionTypeId: null, sessionTypeName: null, remainingCredits: 6, archived: false },
    ];
    render(
      () => (
        <CreditDialog
          mode="issue"
          client={client}
          creditBalances={withOpen}
          sessionTypes={[...types, { id: 'st-2', name: 'Pilates' }]}
          initialSessionTypeId="st-2"
          onClose={() => {}}
          onDone={() => {}}
        />
      ),
      { wrapper: api.wrapper },
    );
    expect(screen.getByTestId('credit-balance').textContent).toBe('Credit balance: 6');
    fireEvent.change(screen.getByLabelText(/Session type/), { target: { value: 'st-1' } });
    expect(screen.getByTestId('credit-balance').textContent).toBe('Credit balance: 10');
  });

  it('will not remove more than the balance, and sends the removal for the chosen type', async () => {
    const api = fakeApi({
      RemoveCredits: () => ({ removeCredits: { __typename: 'RemoveCreditsPayload', balance: 2 } }),
    });
    const onDone = vi.fn();
    render(
      () => (
        <CreditDialog
          mode="remove"
          client={client}
          creditBalances={balances}
          sessionTypes={types}
          initialSessionTypeId="st-1"
          onClose={() => {}}
          onDone={onDone}
        />
      ),
      { wrapper: api.wrapper },
    );
    const submit = screen.getByRole('button', { name: 'Remove credits' }) as HTMLButtonElement;
    amount(/Credits to remove/, '5');
    expect(screen.getByTestId('new-credit-balance').textContent).toBe('Only 4 credits can be removed.');
    expect(submit.disabled).toBe(true);
    amount(/Credits to remove/, '2');
    expect(screen.getByTestId('new-credit-balance').textContent).toBe('New credit balance: 2');
    fireEvent.input(screen.getByLabelText(/Note/), { target: { value: '  Refunded  ' } });
    fireEvent.submit(submit.form!);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('Removed 2 credits from Jane Doe'));
    expect(api.calls[0].variables.input).toMatchObject({
      clientId: client.id,
      credits: 2,
      sessionTypeId: 'st-1',
      note: 'Refunded',
    });
    expect(api.calls[0].variables.input.idempotencyKey).toEqual(expect.any(String));
  });

  it('shows a typed API error in plain words', async () => {
    const api = fakeApi({
      IssueCredits: () => ({
        issueCredits: {
          __typename: 'SessionTypeArchived',
          code: 'SessionTypeArchived',
          message: 'The session type "1-on-1" is archived.',
        },
      }),
    });
    const onDone = vi.fn();
    render(
      () => (
        <CreditDialog
          mode="issue"
          client={client}
          creditBalances={balances}
          sessionTypes={types}
          onClose={() => {}}
          onDone={onDone}
        />
      ),
      { wrapper: api.wrapper },
    );
    fireEvent.submit(screen.getByRole('button', { name: 'Issue credits' }).closest('form')!);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That session type is archived. The session type "1-on-1" is archived.');
    expect(onDone).not.toHaveBeenCalled();
  });
});
