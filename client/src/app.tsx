import { Navigate, type RouteDefinition, Router } from '@solidjs/router';
import { Provider } from '@urql/solid';
import { type JSX, lazy } from 'solid-js';
import { JoinPage, LogInPage, SignUpPage } from './auth/auth-page';
import { SessionProvider, useSession } from './auth/session';
import { Shell } from './shell/shell';
import { createUrqlClient, liveSocket } from './urql';

// Each screen is its own chunk; the login screens are small and come with the first load.
const routes: RouteDefinition[] = [
  { path: '/login', component: LogInPage },
  { path: '/signup', component: SignUpPage },
  { path: '/join', component: JoinPage },
  // Valid share links are served by the server (server/http.ts); anything else under /b/ lands here.
  { path: '/b/*rest', component: lazy(() => import('./shell/invalid-share-link-page')) },
  {
    path: '/',
    component: Shell,
    children: [
      { path: '/', component: () => <Navigate href="/clients" /> },
      { path: '/clients', component: lazy(() => import('./clients/client-list-page')) },
      { path: '/clients/:id', component: lazy(() => import('./client/client-page')) },
      { path: '/dashboard', component: lazy(() => import('./dashboard/dashboard-page')) },
      { path: '/settings', component: lazy(() => import('./settings/settings-page')) },
      { path: '*404', component: lazy(() => import('./shell/not-found-page')) },
    ],
  },
];

function Root(props: { children?: JSX.Element }) {
  return <SessionProvider>{props.children}</SessionProvider>;
}

export function App() {
  let session: ReturnType<typeof useSession> | undefined;
  const client = createUrqlClient({
    ws: () => liveSocket.current,
    onUnauthenticated: () => void session?.refresh(),
  });
  return (
    <Provider value={client}>
      <Router
        root={(props) => (
          <Root>
            <CaptureSession set={(s) => (session = s)} />
            {props.children}
          </Root>
        )}
      >
        {routes}
      </Router>
    </Provider>
  );
}

function CaptureSession(props: { set: (s: ReturnType<typeof useSession>) => void }) {
  props.set(useSession());
  return null;
}
