import { fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fake-api';
import { BulkLogDialog } from './bulk-log-dialog';

const clients = [
  { id: 'a', name: 'Amy Able' },
  { id: 'b', name: 'Ben Broke' },
  { id: 'm', name: 'Mo Monthly' },
];

describe('Bulk log dialog', () => {
  it('logs one status for all selected clients and summarises each result', async () => {
    const api = fakeApi({
      BulkLogSessions: (v) => ({
        bulkLogSessions: {
          __typename: 'BulkLogPayload',
          succeeded: 2,
          failed: 1,
          results: v.input.clientIds.map((id: string) => {
            const client = { __typename: 'Client', id, name: clients.find((c) => c.id === id)!.name };
            if (id === 'b') {
              return {
                clientId: id,
                ok: false,
                client,
                result: null,
                error: {
                  __typename: 'InsufficientCredits',
                  code: 'InsufficientCredits',
                  message: 'Ben Broke has 0 usable credits.',
                },
              };
            }
            return {
              clientId: id,
              ok: true,
              client,
              error: null,
              result: {
                __typename: 'SessionPayload',
                balance: id === 'a' ? 2 : 0,
                session: { __typename: 'Session', id: `s-${id}`, direct: id === 'm' },
              },
            };
          }),
        },
      }),
    });
    render(
      () => (
        <BulkLogDialog
          clients={clients}
          sessionTypes={[{ id: 'st', name: 'Group HIIT', requiresCredits: true }]}
          onClose={() => {}}
        />
      ),
      { wrapper: api.wrapper },
    );
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'NO_SHOW' } });
    fireEvent.change(screen.getByLabelText('Session type'), { target: { value: 'st' } });
    fireEvent.submit(screen.getByRole('button', { name: 'Log 3 sessions' }).closest('form')!);

    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Logged 2 of 3; 1 not logged.'));
    const items = screen.getByRole('list', { name: 'Result per client' }).querySelectorAll('li');
    expect([...items].map((li) => li.textContent)).toEqual([
      '✓Amy AbleLogged · 2 credits left',
      '!Ben BrokeBen Broke has 0 usable credits.',
      '✓Mo MonthlyLogged as a direct session',
    ]);
    expect(api.calls[0].variables.input).toMatchObject({
      clientIds: ['a', 'b', 'm'],
      status: 'NO_SHOW',
      sessionTypeId: 'st',
      notes: null,
    });
  });
});
