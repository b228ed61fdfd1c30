import { graphql } from '../gql';

// The realtime contract (see client/schema-pending.graphql until the server's SDL has it).

export const LedgerEventsDocument = graphql(`
  subscription LedgerEvents($after: Int) {
    ledgerEvents(after: $after) {
      sequence
      kind
      clientId
      actorName
      createdAt
      entry {
        id
        event
        amount
        balanceAfter
      }
      sessionEvent {
        change
        status
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
