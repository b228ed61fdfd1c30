import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ERR, signUpStudio, studio, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const SIGN_UP = `mutation($email: String!, $password: String!, $teamName: String!) {
  signUp(teamName: $teamName, name: "Sam", email: $email, password: $password) {
    __typename ... on LoginPayload { token member { role } } ... on InvalidInput { field } ${ERR}
  }
}`;
const LOG_IN = `mutation($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { __typename ... on LoginPayload { token member { name team { name } } } ${ERR} }
}`;
const ME = '{ me { member { name role team { name } } memberships { team { name } } } }';

async function invite(token: string, email: string, role: string) {
  const { inviteMember } = await t.ok(
    `mutation($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { __typename ... on InvitationPayload { token } ${ERR} } }`,
    { email, role },
    token,
  );
  return inviteMember;
}

/** New people send a name and password; someone with an account sends their login (`as`). */
async function join(inviteToken: string, name: string | null, password: string | null = 'trainer-pass', as?: string) {
  const { acceptInvitation } = await t.ok(
    `mutation($token: String!, $name: String, $password: String) {
      acceptInvitation(token: $token, name: $name, password: $password) { __typename ... on LoginPayload { token member { id role } } ${ERR} }
    }`,
    { token: inviteToken, name, password },
    as,
  );
  return acceptInvitation;
}

describe('sign-up, log-in, log-out', () => {
  it('signs up a team with its owner and logs them in', async () => {
    const { signUp } = await t.ok(SIGN_UP, {
      email: 'Sam@Example.com',
      password: 'long enough',
      teamName: 'Core Studio',
    });
    expect(signUp.__typename).toBe('LoginPayload');
    expect(signUp.member.role).toBe('OWNER');
    const me = await t.ok(ME, {}, signUp.token);
    expect(me.me.member).toEqual({ name: 'Sam', role: 'OWNER', team: { name: 'Core Studio' } });
  });

  it('sets an HttpOnly SameSite session cookie that authenticates later requests', async () => {
    const response = await t.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOG_IN, variables: { email: 'sam@example.com', password: 'long enough' } }),
    });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^punchcard_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await t.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookie.split(';')[0] },
      body: JSON.stringify({ query: ME }),
    });
    expect((await me.json()).data.me.member.name).toBe('Sam');
  });

  it('refuses a taken email, a bad email and a short password with typed errors', async () => {
    const taken = await t.ok(SIGN_UP, { email: 'sam@example.com', password: 'long enough', teamName: 'X' });
    expect(taken.signUp).toMatchObject({ __typename: 'EmailTaken', code: 'EmailTaken' });
    const badEmail = await t.ok(SIGN_UP, { email: 'not-an-email', password: 'long enough', teamName: 'X' });
    expect(badEmail.signUp).toMatchObject({ __typename: 'InvalidInput', field: 'email' });
    const short = await t.ok(SIGN_UP, { email: 'new@example.com', password: 'short', teamName: 'X' });
    expect(short.signUp).toMatchObject({ __typename: 'InvalidInput', field: 'password' });
    expect(await t.db.prisma.user.count({ where: { email: 'new@example.com' } })).toBe(0);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const wrong = await t.ok(LOG_IN, { email: 'sam@example.com', password: 'nope nope' });
    const unknown = await t.ok(LOG_IN, { email: 'nobody@example.com', password: 'nope nope' });
    expect(wrong.logIn.__typename).toBe('InvalidCredentials');
    expect(unknown.logIn.message).toBe(wrong.logIn.message);
  });

  it('logOut ends the login: the token no longer works', async () => {
    const { logIn } = await t.ok(LOG_IN, { email: 'sam@example.com', password: 'long enough' });
    expect((await t.ok(ME, {}, logIn.token)).me).not.toBeNull();
    await t.ok('mutation { logOut }', {}, logIn.token);
    expect((await t.ok(ME, {}, logIn.token)).me).toBeNull();
    const denied = await t.gql('{ team { name } }', {}, logIn.token);
    expect(denied.errors?.[0].extensions?.code).toBe('Unauthenticated');
  });
});

describe('roles', () => {
  it('lets OWNER/ADMIN manage the team and keeps TRAINERs to day-to-day work', async () => {
    const owner = await signUpStudio(t);
    const invitation = await invite(owner.token, 'trainer@example.com', 'TRAINER');
    const trainer = await join(invitation.token, 'Tess Trainer');
    expect(trainer.member.role).toBe('TRAINER');

    const settings = await t.ok(
      `mutation { updateTeamSettings(input: { cancelWindowHours: 2 }) { __typename ${ERR} } }`,
      {},
      trainer.token,
    );
    expect(settings.updateTeamSettings.__typename).toBe('Forbidden');
    const inviteByTrainer = await invite(trainer.token, 'x@example.com', 'TRAINER');
    expect(inviteByTrainer.__typename).toBe('Forbidden');
    const sessionType = await t.ok(
      `mutation { createSessionType(input: { name: "Yoga" }) { __typename ${ERR} } }`,
      {},
      trainer.token,
    );
    expect(sessionType.createSessionType.__typename).toBe('Forbidden');
    const removeOwner = await t.ok(
      `mutation($id: ID!) { removeMember(memberId: $id) { __typename ${ERR} } }`,
      { id: owner.memberId },
      trainer.token,
    );
    expect(removeOwner.removeMember.__typename).toBe('Forbidden');
    // Day-to-day work is fine.
    const client = await t.ok(
      `mutation { createClient(input: { name: "Client" }) { __typename ${ERR} } }`,
      {},
      trainer.token,
    );
    expect(client.createClient.__typename).toBe('Client');
    const team = await t.ok('{ team { cancelWindowHours } }', {}, owner.token);
    expect(team.team.cancelWindowHours).toBe(24);
  });

  it('an admin promotes and removes members; a removed member loses access at once', async () => {
    const owner = await signUpStudio(t);
    const admin = await join((await invite(owner.token, 'admin@example.com', 'ADMIN')).token, 'Ada Admin');
    const trainer = await join((await invite(admin.token, 'trainer2@example.com', 'TRAINER')).token, 'Tom');
    const promoted = await t.ok(
      `mutation($id: ID!) { changeMemberRole(memberId: $id, role: ADMIN) { __typename ... on Member { role } ${ERR} } }`,
      { id: trainer.member.id },
      admin.token,
    );
    expect(promoted.changeMemberRole.role).toBe('ADMIN');
    const makeOwner = await t.ok(
      `mutation($id: ID!) { changeMemberRole(memberId: $id, role: OWNER) { __typename ${ERR} } }`,
      { id: trainer.member.id },
      admin.token,
    );
    expect(makeOwner.changeMemberRole.__typename).toBe('Forbidden');
    await t.ok(
      `mutation($id: ID!) { removeMember(memberId: $id) { __typename ${ERR} } }`,
      { id: trainer.member.id },
      admin.token,
    );
    expect((await t.ok(ME, {}, trainer.token)).me).toBeNull();
    const { team } = await t.ok('{ team { members { name } } }', {}, owner.token);
    expect(team.members.map((m: { name: string }) => m.name).sort()).toEqual(['Ada Admin', 'Owner']);
  });

  it('never leaves a team without an owner', async () => {
    const owner = await signUpStudio(t);
    const demote = await t.ok(
      `mutation($id: ID!) { changeMemberRole(memberId: $id, role: ADMIN) { __typename ... on InvalidInput { field } ${ERR} } }`,
      { id: owner.memberId },
      owner.token,
    );
    expect(demote.changeMemberRole).toMatchObject({ __typename: 'InvalidInput', field: 'memberId' });
  });

  it('a person in two teams switches between them with one login', async () => {
    const a = await signUpStudio(t, 'Team A');
    const b = await signUpStudio(t, 'Team B');
    const joined = await join((await invite(b.token, 'both@example.com', 'TRAINER')).token, 'Both');
    const second = await invite(a.token, 'both@example.com', 'ADMIN');
    await join(second.token, null, null, joined.token);
    const me = await t.ok(ME, {}, joined.token);
    expect(me.me.memberships.map((m: { team: { name: string } }) => m.team.name).sort()).toEqual(['Team A', 'Team B']);
    expect(me.me.member.team.name).toBe('Team B');
    await t.ok(
      `mutation($teamId: ID!) { switchTeam(teamId: $teamId) { __typename ${ERR} } }`,
      { teamId: a.teamId },
      joined.token,
    );
    expect((await t.ok(ME, {}, joined.token)).me.member).toMatchObject({ role: 'ADMIN', team: { name: 'Team A' } });
  });
});

describe('tenant isolation', () => {
  it('a member of team A can neither read nor change anything of team B', async () => {
    const a = await studio(t);
    const b = await studio(t);
    const bClient = await b.client('B client');
    const bPackage = await b.package(bClient);
    await b.log(bClient);

    // Reads: by id, by node, in lists and histories.
    const read = await t.ok(
      `query($c: ID!, $p: ID!) {
        client(id: $c) { name } node(id: $p) { id }
        clients(first: 50) { edges { node { id } } }
        balanceHistory(clientId: $c, first: 10) { edges { node { id } } }
        sessions(clientId: $c, first: 10) { edges { node { id } } }
        sessionTypes { id }
      }`,
      { c: bClient, p: bPackage },
      a.token,
    );
    expect(read.client).toBeNull();
    expect(read.node).toBeNull();
    expect(read.clients.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(bClient);
    expect(read.balanceHistory.edges).toEqual([]);
    expect(read.sessions.edges).toEqual([]);
    expect(read.sessionTypes.map((s: { id: string }) => s.id)).toEqual([a.sessionTypeId]);

    // Writes: every attempt is refused as not found, and B's balance is untouched.
    const log = await a.log(bClient);
    expect(log).toMatchObject({ __typename: 'NotFound' });
    const usePackage = await a.log(await a.client(), { packageId: bPackage });
    expect(usePackage.__typename).toBe('NotFound');
    const update = await t.ok(
      `mutation($id: ID!) { updateClient(id: $id, input: { name: "hacked" }) { __typename ${ERR} } }`,
      { id: bClient },
      a.token,
    );
    expect(update.updateClient.__typename).toBe('NotFound');
    const archive = await t.ok(
      `mutation($id: ID!) { archiveSessionType(id: $id) { __typename ${ERR} } }`,
      { id: b.sessionTypeId },
      a.token,
    );
    expect(archive.archiveSessionType.__typename).toBe('NotFound');
    expect(await b.remaining(bPackage)).toBe(9);
  });

  it('anonymous requests see nothing and write nothing', async () => {
    const b = await studio(t);
    const bClient = await b.client();
    const read = await t.gql('query($c: ID!) { client(id: $c) { name } }', { c: bClient });
    expect(read.errors?.[0].extensions?.code).toBe('Unauthenticated');
    const write = await t.ok(`mutation { createClient(input: { name: "x" }) { __typename ${ERR} } }`);
    expect(write.createClient.__typename).toBe('Unauthenticated');
  });
});
