import { graphql } from '../gql';

/** What the app reads of each team event: the live stream and the feed's history alike. */
export const TeamEventFieldsFragment = graphql(`
  fragment TeamEventFields on TeamEvent {
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
`);

export const LedgerEventsDocument = graphql(`
  subscription LedgerEvents($after: Int) {
    ledgerEvents(after: $after) {
      ...TeamEventFields
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
