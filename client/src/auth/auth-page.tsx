import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { useClient } from '@urql/solid';
import { createSignal, type JSX, Show } from 'solid-js';
import { ProblemAlert } from '../components/alert';
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
  mutation AcceptInvitation($token: String!, $name: String, $password: String!) {
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
            At least 8 characters.
          </span>
        </div>
        <button class="button primary" type="submit" disabled={busy()}>
          {busy() ? 'Creating…' : 'Create studio'}
        </button>
      </form>
    </AuthCard>
  );
}

/** The page an invitation link opens: new people choose a name; everyone sets a password. */
export function JoinPage() {
  const client = useClient();
  const done = useAfterLogin();
  const [params] = useSearchParams();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    setBusy(true);
    const { problem } = await mutate(client, AcceptInvitationDocument, {
      token: String(data.get('token')).trim(),
      name: name || null,
      password: String(data.get('password')),
    });
    setBusy(false);
    setProblem(problem);
    if (problem) return focusField(form, problem.field);
    await done();
  };
  return (
    <AuthCard
      title="Join your team"
      intro="Accept the invitation a teammate shared with you."
      footer={
        <>
          Have an account already? Enter its password below, or <A href="/login">log in</A>.
        </>
      }
    >
      <form class="stack" onSubmit={submit}>
        <ProblemAlert problem={problem()} />
        <div class="field">
          <label for="join-token">Invitation code</label>
          <input id="join-token" name="token" required value={typeof params.token === 'string' ? params.token : ''} />
        </div>
        <div class="field">
          <label for="join-name">Your name</label>
          <input id="join-name" name="name" autocomplete="name" aria-describedby="join-name-hint" autofocus />
          <span id="join-name-hint" class="hint">
            Needed if you are new to Punchcard.
          </span>
        </div>
        <div class="field">
          <label for="join-password">Password</label>
          <input id="join-password" name="password" type="password" required autocomplete="new-password" />
        </div>
        <button class="button primary" type="submit" disabled={busy()}>
          {busy() ? 'Joining…' : 'Join team'}
        </button>
      </form>
    </AuthCard>
  );
}
