import { render, screen } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/fake-api';
import { formatDateTime } from '../lib/format';
import { BalanceHistory } from './balance-history';

function entry(id: string, event: string, session: { id: string; startsAt: string } | null) {
  return {
    node: {
      __typename: 'LedgerEntry',
      id,
      sequence: Number(id.slice(1)),
      event,
      amount: event === 'USED' ? -1 : 5,
      balanceAfter: 4,
      note: null,
      actorName: 'Owner',
      createdAt: '2026-06-03T09:00:00Z',
      session: session && { __typename: 'Session', ...session },
      sessionType: null,
      package: { __typename: 'Package', id: 'p1', name: 'Pack' },
    },
  };
}

describe('Balance history', () => {
  it('shows when each entry’s session happened and links to it', async () => {
    const api = fakeApi({
      BalanceHistory: () => ({
        balanceHistory: {
          __typename: 'LedgerEntryConnection',
          edges: [entry('e2', 'USED', { id: 's1', startsAt: '2026-05-30T10:00:00Z' }), entry('e1', 'ISSUED', null)],
          pageInfo: { __typename: 'PageInfo', hasNextPage: false },
        },
      }),
    });
    render(() => <BalanceHistory clientId="c1" sessionTypes={[]} />, { wrapper: api.wrapper });
    const links = await screen.findAllByTestId('entry-session');
    expect(links).toHaveLength(1);
    expect(links[0].textContent).toBe(`Session ${formatDateTime('2026-05-30T10:00:00Z')}`);
    expect(links[0].getAttribute('href')).toBe('#session-s1');
  });
});
