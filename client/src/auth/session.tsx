import { createQuery, useClient } from '@urql/solid';
import { type Accessor, createContext, type JSX, useContext } from 'solid-js';
import { graphql } from '../gql';
import type { MeQuery } from '../gql/graphql';

export const MeDocument = graphql(`
  query Me {
    me {
      member {
        id
        name
        email
        role
        team {
          id
          name
        }
      }
      memberships {
        id
        role
        team {
          id
          name
        }
      }
    }
  }
`);

export type Me = NonNullable<MeQuery['me']>;

export interface Session {
  /** undefined while loading; null when logged out. */
  me: Accessor<Me | null | undefined>;
  refresh(): Promise<void>;
  isManager: Accessor<boolean>;
}

const SessionContext = createContext<Session>();

export function SessionProvider(props: { children: JSX.Element }) {
  const client = useClient();
  const [me, reexecute] = createQuery({ query: MeDocument, requestPolicy: 'network-only' });
  const session: Session = {
    me: () => {
      if (me.data) return me.data.me ?? null;
      // A failed `me` (server down) shows the login screen with its own error, not a blank app.
      return me.error ? null : undefined;
    },
    async refresh() {
      // Results are shared by operation key, so this also updates the query above.
      const result = await client.query(MeDocument, {}, { requestPolicy: 'network-only' }).toPromise();
      if (result.error) reexecute({ requestPolicy: 'network-only' });
    },
    isManager: () => {
      const role = me.data?.me?.member.role;
      return role === 'OWNER' || role === 'ADMIN';
    },
  };
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
