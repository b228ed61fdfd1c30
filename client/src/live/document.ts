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

/**
 * The live connection's first load: the team's latest events, newest first. The newest one's
 * sequence is the team's latest, the cursor the subscription starts after (none: 0).
 */
export const RecentTeamEventsDocument = graphql(`
  query RecentTeamEvents {
    recentTeamEvents(last: 50) {
      ...TeamEventFields
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
