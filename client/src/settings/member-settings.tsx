import { useClient } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { Alert, ProblemAlert } from '../components/alert';
import { graphql } from '../gql';
import type { Role } from '../gql/graphql';
import type { Problem } from '../lib/error';
import { formatDate, ROLE_LABEL } from '../lib/format';
import { mutate } from '../lib/mutate';

const InviteMemberDocument = graphql(`
  mutation InviteMember($email: String!, $role: Role!) {
    inviteMember(email: $email, role: $role) {
      __typename
      ... on InvitationPayload {
        token
      }
      ...ProblemFields
    }
  }
`);

const ChangeMemberRoleDocument = graphql(`
  mutation ChangeMemberRole($memberId: ID!, $role: Role!) {
    changeMemberRole(memberId: $memberId, role: $role) {
      __typename
      ... on Member {
        id
        role
      }
      ...ProblemFields
    }
  }
`);

const RemoveMemberDocument = graphql(`
  mutation RemoveMember($memberId: ID!) {
    removeMember(memberId: $memberId) {
      __typename
      ... on Member {
        id
        removed
      }
      ...ProblemFields
    }
  }
`);

const RevokeInvitationDocument = graphql(`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) {
      __typename
      ... on Invitation {
        id
        revokedAt
      }
      ...ProblemFields
    }
  }
`);

const ROLES: Role[] = ['OWNER', 'ADMIN', 'TRAINER'];

export function MemberSettings(props: {
  members: { id: string; name: string; email: string; role: Role }[];
  /** Pending invitations: not accepted, revoked or expired. */
  invitations: { id: string; email: string; role: Role; expiresAt: string; invitedBy: { name: string } }[];
  me: { id: string; role: Role } | undefined;
  onChanged: () => void;
}) {
  const client = useClient();
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [invite, setInvite] = createSignal<{ email: string; token: string } | null>(null);
  const [copied, setCopied] = createSignal(false);
  let form!: HTMLFormElement;
  const inviteLink = () => {
    const i = invite();
    return i ? `${window.location.origin}/join?token=${encodeURIComponent(i.token)}` : '';
  };

  const sendInvite = async (e: SubmitEvent) => {
    e.preventDefault();
    const data = new FormData(form);
    const email = String(data.get('email')).trim();
    const outcome = await mutate(client, InviteMemberDocument, { email, role: data.get('role') as Role });
    setProblem(outcome.problem);
    if (outcome.value?.__typename === 'InvitationPayload') {
      setInvite({ email, token: outcome.value.token });
      setCopied(false);
      form.reset();
      props.onChanged();
    }
  };
  const revoke = async (i: { id: string; email: string }) => {
    if (!window.confirm(`Revoke the invitation for ${i.email}? Its link stops working at once.`)) return;
    const outcome = await mutate(client, RevokeInvitationDocument, { id: i.id });
    setProblem(outcome.problem);
    props.onChanged();
  };
  const changeRole = async (memberId: string, role: Role) => {
    const outcome = await mutate(client, ChangeMemberRoleDocument, { memberId, role });
    setProblem(outcome.problem);
    props.onChanged();
  };
  const remove = async (m: { id: string; name: string }) => {
    if (!window.confirm(`Remove ${m.name} from the team? They lose access at once.`)) return;
    const outcome = await mutate(client, RemoveMemberDocument, { memberId: m.id });
    setProblem(outcome.problem);
    props.onChanged();
  };
  const copy = async () => {
    await navigator.clipboard?.writeText(inviteLink()).catch(() => undefined);
    setCopied(true);
  };
  // Only an owner hands out the owner role.
  const rolesFor = () => (props.me?.role === 'OWNER' ? ROLES : ROLES.filter((r) => r !== 'OWNER'));

  return (
    <section class="card stack" aria-labelledby="members-title">
      <h2 id="members-title">Members and roles</h2>
      <ProblemAlert problem={problem()} />
      <ul class="settings-list">
        <For each={props.members}>
          {(m) => (
            <li>
              <span class="grow">
                <strong>{m.name}</strong>
                <span class="sub">{m.email}</span>
              </span>
              <label class="sr-only" for={`role-${m.id}`}>
                Role of {m.name}
              </label>
              <select
                id={`role-${m.id}`}
                value={m.role}
                disabled={m.id === props.me?.id || (m.role === 'OWNER' && props.me?.role !== 'OWNER')}
                onChange={(e) => changeRole(m.id, e.currentTarget.value as Role)}
              >
                <For each={m.role === 'OWNER' ? ROLES : rolesFor()}>
                  {(r) => <option value={r}>{ROLE_LABEL[r]}</option>}
                </For>
              </select>
              <button
                type="button"
                class="button small ghost"
                disabled={m.id === props.me?.id || m.role === 'OWNER'}
                onClick={() => remove(m)}
              >
                Remove
              </button>
            </li>
          )}
        </For>
      </ul>
      <Show when={props.invitations.length > 0}>
        <h3>Pending invitations</h3>
        <ul class="settings-list" aria-label="Pending invitations">
          <For each={props.invitations}>
            {(i) => (
              <li>
                <span class="grow">
                  <strong>{i.email}</strong>
                  <span class="sub">
                    {ROLE_LABEL[i.role]} · invited by {i.invitedBy.name} · expires {formatDate(i.expiresAt)}
                  </span>
                </span>
                <button
                  type="button"
                  class="button small ghost"
                  disabled={i.role === 'OWNER' && props.me?.role !== 'OWNER'}
                  onClick={() => revoke(i)}
                >
                  Revoke
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form ref={form} class="inline-form" onSubmit={sendInvite} aria-label="Invite a teammate">
        <div class="field grow">
          <label for="invite-email">Invite by email</label>
          <input id="invite-email" name="email" type="email" required placeholder="trainer@studio.com" />
        </div>
        <div class="field">
          <label for="invite-role">Role</label>
          <select id="invite-role" name="role">
            <For each={rolesFor().filter((r) => r !== 'OWNER')}>
              {(r) => <option value={r}>{ROLE_LABEL[r]}</option>}
            </For>
          </select>
        </div>
        <button type="submit" class="button primary">
          Create invitation
        </button>
      </form>
      <Show when={invite()}>
        {(i) => (
          <Alert tone="ok">
            <p>
              Invitation for <strong>{i().email}</strong>. Share this link with them; it is shown only once.
            </p>
            <div class="copy-row">
              <label class="sr-only" for="invite-link">
                Invitation link
              </label>
              <input id="invite-link" readOnly value={inviteLink()} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" class="button small" onClick={copy}>
                {copied() ? 'Copied' : 'Copy'}
              </button>
            </div>
            <p class="small">
              Invitation code: <code data-testid="invite-token">{i().token}</code>
            </p>
          </Alert>
        )}
      </Show>
    </section>
  );
}
