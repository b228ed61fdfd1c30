import { A, Navigate, useLocation } from '@solidjs/router';
import { useClient } from '@urql/solid';
import { createSignal, For, type JSX, onCleanup, Show } from 'solid-js';
import { useSession } from '../auth/session';
import { Loading } from '../components/alert';
import { graphql } from '../gql';
import { ROLE_LABEL } from '../lib/format';
import { mutate } from '../lib/mutate';
import { createLiveConnection, liveUrl } from '../live/connection';
import { ConnectionIndicator } from '../live/connection-indicator';
import { LiveContext } from '../live/refresh';
import { liveSocket } from '../urql';

const SwitchTeamDocument = graphql(`
  mutation SwitchTeam($teamId: ID!) {
    switchTeam(teamId: $teamId) {
      __typename
      ... on Member {
        id
      }
      ...ProblemFields
    }
  }
`);

const LogOutDocument = graphql(`
  mutation LogOut {
    logOut
  }
`);

/** Every screen behind the login: the header, the live connection, then the page. */
export function Shell(props: { children?: JSX.Element }) {
  const session = useSession();
  const location = useLocation();
  return (
    <Show when={session.me() !== undefined} fallback={<Loading label="Opening Punchcard…" />}>
      <Show
        when={session.me()}
        fallback={<Navigate href={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} />}
      >
        {(me) => <LoggedIn me={me()}>{props.children}</LoggedIn>}
      </Show>
    </Show>
  );
}

function LoggedIn(props: { me: NonNullable<ReturnType<ReturnType<typeof useSession>['me']>>; children?: JSX.Element }) {
  const client = useClient();
  const session = useSession();
  const live = createLiveConnection({ url: liveUrl() });
  liveSocket.current = live.ws;
  onCleanup(() => {
    liveSocket.current = null;
    live.stop();
  });
  const [switchError, setSwitchError] = createSignal('');

  const switchTeam = async (teamId: string) => {
    const { problem } = await mutate(client, SwitchTeamDocument, { teamId });
    if (problem) return setSwitchError(`${problem.title}. ${problem.message}`);
    // A new team means new data, a new event sequence and a new socket: start clean.
    window.location.assign('/clients');
  };
  const logOut = async () => {
    await mutate(client, LogOutDocument, {});
    window.location.assign('/login');
  };

  return (
    <LiveContext.Provider value={live}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="topbar-row">
          <A href="/clients" class="brand" aria-label="Punchcard home">
            <span class="brand-mark" aria-hidden="true" />
            <span class="brand-name">Punchcard</span>
          </A>
          <Show
            when={props.me.memberships.length > 1}
            fallback={<span class="team-name">{props.me.member.team.name}</span>}
          >
            <label class="sr-only" for="team-switcher">
              Team
            </label>
            <select
              id="team-switcher"
              class="team-switcher"
              value={props.me.member.team.id}
              onChange={(e) => switchTeam(e.currentTarget.value)}
            >
              <For each={props.me.memberships}>
                {(m) => (
                  <option value={m.team.id}>
                    {m.team.name} ({ROLE_LABEL[m.role]})
                  </option>
                )}
              </For>
            </select>
          </Show>
          <span class="spacer" />
          <ConnectionIndicator status={live.status()} />
          <span class="member-name" title={props.me.member.email}>
            {props.me.member.name}
          </span>
          <button type="button" class="button ghost small" onClick={logOut}>
            Log out
          </button>
        </div>
        <nav class="nav" aria-label="Main">
          <A href="/clients" activeClass="active">
            Clients
          </A>
          <A href="/dashboard" activeClass="active">
            Dashboard
          </A>
          <Show when={session.isManager()}>
            <A href="/settings" activeClass="active">
              Settings
            </A>
          </Show>
        </nav>
        <Show when={switchError()}>
          <p class="alert alert-error" role="alert">
            {switchError()}
          </p>
        </Show>
      </header>
      <main id="main" class="page" tabindex="-1">
        {props.children}
      </main>
    </LiveContext.Provider>
  );
}
