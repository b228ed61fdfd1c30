import { graphql } from '../gql';

export const LedgerEventsDocument = graphql(`
  subscription LedgerEvents($after: Int) {
    ledgerEvents(after: $after) {
      sequence
      kind
      clientId
      createdAt
      entry {
        id
        event
        amount
        balanceAfter
        actorName
      }
      sessionEvent {
        change
        status
        actorName
        session {
          id
        }
      }
    }
  }
`);

export const BalanceChangedDocument = graphql(`
  subscription BalanceChanged($clientId: ID!) {
    balanceChanged(clientId: $clientId) {
      id
      totalRemainingCredits
      packages {
        id
        remainingCredits
        state
        barColor
      }
    }
  }
`);
