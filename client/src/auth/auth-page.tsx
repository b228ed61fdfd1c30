import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { useClient } from '@urql/solid';
import { createSignal, type JSX, Show } from 'solid-js';
import { Alert, ProblemAlert } from '../components/alert';
import { graphql } from '../gql';
import type { Problem } from '../lib/error';
import { mutate } from '../lib/mutate';
import { useSession } from './session';

const LogInDocument = graphql(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      __typename
      ... on LoginPayload {
        member {
          id
        }
      }
      ...ProblemFields
    }
  }
`);

const SignUpDocument = graphql(`
  mutation SignUp($email: String!, $name: String!, $password: String!, $teamName: String!) {
    signUp(email: $email, name: $name, password: $password, teamName: $teamName) {
      __typename
      ... on LoginPayload {
        member {
          id
        }
      }
      ...ProblemFields
    }
  }
`);

const AcceptInvitationDocument = graphql(`
  mutation AcceptInvitation($token: String!, $name: String, $password: String) {
    acceptInvitation(token: $token, name: $name, password: $password) {
      __typename
      ... on LoginPayload {
        member {
          id
        }
      }
      ...ProblemFields
    }
  }
`);

function AuthCard(props: { title: string; intro?: string; children: JSX.Element; footer: JSX.Element }) {
  return (
    <main class="auth">
      <div class="auth-card">
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true" />
          Punchcard
        </div>
        <h1>{props.title}</h1>
        <Show when={props.intro}>
          <p class="muted">{props.intro}</p>
        </Show>
        {props.children}
        <p class="auth-footer">{props.footer}</p>
      </div>
    </main>
  );
}

/** Sends the browser to where it was going; the login cookie is set by the server. */
function useAfterLogin() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  return async () => {
    await session.refresh();
    const next = typeof params.next === 'string' && params.next.startsWith('/') ? params.next : '/clients';
    navigate(next, { replace: true });
  };
}

function focusField(form: HTMLFormElement, field: string | undefined) {
  if (field) form.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
}

export function LogInPage() {
  const client = useClient();
  const done = useAfterLogin();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    const { problem } = await mutate(client, LogInDocument, {
      email: String(data.get('email')),
      password: String(data.get('password')),
    });
    setBusy(false);
    setProblem(problem);
    if (problem) return focusField(form, problem.field ?? 'password');
    await done();
  };
  return (
    <AuthCard
      title="Log in"
      intro="Your studio's clients, packages and credits."
      footer={
        <>
          New studio? <A href="/signup">Create an account</A>
        </>
      }
    >
      <form class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for="login-email">Email</label>
          <input id="login-email" name="email" type="email" autocomplete="email" required autofocus />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required />
        </div>
        <button class="button primary" type="submit" disabled={busy()}>
          {busy() ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}

export function SignUpPage() {
  const client = useClient();
  const done = useAfterLogin();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    const { problem } = await mutate(client, SignUpDocument, {
      teamName: String(data.get('teamName')),
      name: String(data.get('name')),
      email: String(data.get('email')),
      password: String(data.get('password')),
    });
    setBusy(false);
    setProblem(problem);
    if (problem) return focusField(form, problem.field);
    await done();
  };
  return (
    <AuthCard
      title="Create your studio"
      intro="You will be its owner; invite your team from Settings."
      footer={
        <>
          Already have an account? <A href="/login">Log in</A>
        </>
      }
    >
      <form class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for="signup-team">Studio name</label>
          <input id="signup-team" name="teamName" required autofocus autocomplete="organization" />
        </div>
        <div class="field">
          <label for="signup-name">Your name</label>
          <input id="signup-name" name="name" required autocomplete="name" />
        </div>
        <div class="field">
          <label for="signup-email">Email</label>
          <input id="signup-email" name="email" type="email" required autocomplete="email" />
        </div>
        <div class="field">
          <label for="signup-password">Password</label>
          <input
            id="signup-password"
            name="password"
            type="password"
            required
            minLength={8}
            autocomplete="new-password"
            aria-describedby="signup-password-hint"
          />
          <span id="signup-password-hint" class="hint">
            At least 8 characters, not a common password.
          </span>
        </div>
        <button class="button primary" type="submit" disabled={busy()}>
          {busy() ? 'Creating…' : 'Create studio'}
        </button>
      </form>
    </AuthCard>
  );
}

/**
 * The page an invitation link opens. New people choose a name and password. Someone who already
 * has an account accepts while logged in as it (the API checks no password here), so they are
 * sent through the login page first and come back.
 */
export function JoinPage() {
  const client = useClient();
  const session = useSession();
  const done = useAfterLogin();
  const [params] = useSearchParams();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [needsLogin, setNeedsLogin] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const me = () => session.me()?.member;
  const loginHref = (token: string) => `/login?next=${encodeURIComponent(`/join?token=${encodeURIComponent(token)}`)}`;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    setBusy(true);
    const outcome = await mutate(client, AcceptInvitationDocument, {
      token: String(data.get('token')).trim(),
      name: me() ? null : name || null,
      password: me() ? null : String(data.get('password') ?? ''),
    });
    setBusy(false);
    // An account exists for the invited email: log in as it, then accept.
    const loginFirst = !me() && outcome.problem != null && /log in as/i.test(outcome.problem.message);
    setNeedsLogin(loginFirst);
    setProblem(loginFirst ? null : outcome.problem);
    if (outcome.problem) return loginFirst ? undefined : focusField(form, outcome.problem.field);
    await done();
  };
  const token = () => (typeof params.token === 'string' ? params.token : '');
  return (
    <AuthCard
      title="Join your team"
      intro="Accept the invitation a teammate shared with you."
      footer={
        <Show
          when={me()}
          fallback={
            <>
              Have an account already? <A href={loginHref(token())}>Log in</A> first, then accept.
            </>
          }
        >
          {(m) => <>Not {m().email}? Log out, then open the invitation link again.</>}
        </Show>
      }
    >
      <form class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <Show when={needsLogin()}>
          <Alert tone="info">
            This invitation is for an existing account. <A href={loginHref(token())}>Log in to accept it</A>.
          </Alert>
        </Show>
        <div class="field">
          <label for="join-token">Invitation code</label>
          <input id="join-token" name="token" required value={token()} />
        </div>
        <Show
          when={me()}
          fallback={
            <>
              <div class="field">
                <label for="join-name">Your name</label>
                <input id="join-name" name="name" autocomplete="name" required autofocus />
              </div>
              <div class="field">
                <label for="join-password">Choose a password</label>
                <input
                  id="join-password"
                  name="password"
                  type="password"
                  required
                  minLength={8}
                  autocomplete="new-password"
                  aria-describedby="join-password-hint"
                />
                <span id="join-password-hint" class="hint">
                  At least 8 characters, not a common password.
                </span>
              </div>
            </>
          }
        >
          {(m) => (
            <p>
              You accept as <strong>{m().email}</strong>.
            </p>
          )}
        </Show>
        <button class="button primary" type="submit" disabled={busy()}>
          {busy() ? 'Joining…' : 'Join team'}
        </button>
      </form>
    </AuthCard>
  );
}
