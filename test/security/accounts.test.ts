import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase } from '../../server/db/test-db.ts';
import { seedDemo } from '../../server/demo.ts';
import { createTestApp, DAY, ERR, signUpStudio, type TestApp } from '../helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ACCEPT = `mutation($token: String!, $name: String, $password: String) {
  acceptInvitation(token: $token, name: $name, password: $password) {
    __typename ... on LoginPayload { token member { id role team { id } } } ... on InvalidInput { field } ${ERR}
  }
}`;
const INVITE = `mutation($email: String!, $role: Role!) {
  inviteMember(email: $email, role: $role) { __typename ... on InvitationPayload { token invitation { id } } ${ERR} }
}`;

async function invite(as: string, email: string, role = 'TRAINER') {
  const { inviteMember } = await t.ok(INVITE, { email, role }, as);
  expect(inviteMember.__typename).toBe('InvitationPayload');
  return { token: inviteMember.token as string, id: inviteMember.invitation.id as string };
}

async function accept(token: string, input: { name?: string; password?: string } = {}, as?: string) {
  return (await t.ok(ACCEPT, { token, ...input }, as)).acceptInvitation;
}

const memberRows = (email: string) => t.db.prisma.member.findMany({ where: { user: { email } } });

describe('acceptInvitation is no password oracle', () => {
  it('never checks a password for an existing account: guesses, even the right one, get no login', async () => {
    const victim = await signUpStudio(t, 'Victim Studio');
    const victimEmail = (
      await t.db.prisma.member
        .findUniqueOrThrow({ where: { id: victim.memberId.length ? undefined : '' } })
        .catch(() => null)
    )?.id;
    void victimEmail;
    const email = (await t.ok('{ me { member { email } } }', {}, victim.token)).me.member.email as string;
    const attacker = await signUpStudio(t, 'Attacker Studio');
    const { token } = await invite(attacker.token, email, 'TRAINER');
    const guesses = ['123456', 'password', 'letmein', 'correct horse'];
    for (const password of guesses) {
      const answer = await accept(token, { password });
      expect(answer).toMatchObject({ __typename: 'Unauthenticated', message: expect.stringMatching(/log in as/) });
      expect(answer.token).toBeUndefined();
    }
    // Nothing was written: the victim is in no new team and the invitation is still unused.
    expect(await memberRows(email)).toHaveLength(1);
    expect((await t.db.prisma.invitation.findFirstOrThrow({ where: { email } })).acceptedAt).toBeNull();
    // The victim, logged in, can accept (or ignore) it like any invitation.
    const joined = await accept(token, {}, victim.token);
    expect(joined.__typename).toBe('LoginPayload');
    expect(await memberRows(email)).toHaveLength(2);
  });

  it('refuses an invitation for one account to someone logged in as another', async () => {
    const owner = await signUpStudio(t);
    const other = await signUpStudio(t);
    const email = (await t.ok('{ me { member { email } } }', {}, other.token)).me.member.email;
    const { token } = await invite(owner.token, email);
    const intruder = await signUpStudio(t);
    expect((await accept(token, {}, intruder.token)).__typename).toBe('Forbidden');
    expect(await memberRows(email)).toHaveLength(1);
    expect((await t.db.prisma.invitation.findFirstOrThrow({ where: { email } })).acceptedAt).toBeNull();
  });
});

describe('invitations: listed, revocable, single-use, expiring', () => {
  it('owners and admins list pending invitations (who, role, by whom, when, expiry); trainers cannot', async () => {
    const owner = await signUpStudio(t);
    const trainer = await accept((await invite(owner.token, 'trainer-list@example.com')).token, {
      name: 'Tia',
      password: 'trainer-pass',
    });
    t.clock.advance(1000);
    await invite(owner.token, 'first@example.com', 'TRAINER');
    t.clock.advance(1000);
    const second = await invite(owner.token, 'second@example.com', 'ADMIN');
    const { invitations } = await t.ok(
      '{ invitations { id email role createdAt expiresAt invitedBy { name } } }',
      {},
      owner.token,
    );
    // The accepted one is no longer pending.
    expect(invitations.map((i: { email: string }) => i.email)).toEqual(['second@example.com', 'first@example.com']);
    expect(invitations[0]).toMatchObject({ id: second.id, role: 'ADMIN', invitedBy: { name: 'Owner' } });
    expect(new Date(invitations[0].expiresAt).getTime() - new Date(invitations[0].createdAt).getTime()).toBe(7 * DAY);
    const asTrainer = await t.gql('{ invitations { id } }', {}, trainer.token);
    expect(asTrainer.errors?.[0].extensions?.code).toBe('Forbidden');
  });

  it('a revoked invitation no longer works', async () => {
    const owner = await signUpStudio(t);
    const { token, id } = await invite(owner.token, 'revoked@example.com');
    const { revokeInvitation } = await t.ok(
      `mutation($id: ID!) { revokeInvitation(id: $id) { __typename ... on Invitation { revokedAt } ${ERR} } }`,
      { id },
      owner.token,
    );
    expect(revokeInvitation.revokedAt).not.toBeNull();
    expect(await accept(token, { name: 'R', password: 'trainer-pass' })).toMatchObject({
      __typename: 'InvalidInput',
      field: 'token',
    });
    expect(await t.db.prisma.user.count({ where: { email: 'revoked@example.com' } })).toBe(0);
    expect((await t.ok('{ invitations { id } }', {}, owner.token)).invitations).toEqual([]);
  });

  it('an invitation expires after 7 days and works once', async () => {
    const owner = await signUpStudio(t);
    const late = await invite(owner.token, 'late@example.com');
    const once = await invite(owner.token, 'once@example.com');
    expect((await accept(once.token, { name: 'Once', password: 'trainer-pass' })).__typename).toBe('LoginPayload');
    expect((await accept(once.token, { name: 'Twice', password: 'trainer-pass' })).__typename).toBe('InvalidInput');
    t.clock.advance(7 * DAY);
    expect((await accept(late.token, { name: 'Late', password: 'trainer-pass' })).__typename).toBe('InvalidInput');
    expect(await t.db.prisma.user.count({ where: { email: 'late@example.com' } })).toBe(0);
  });

  it('removing a member revokes the invitations they sent: a removed admin cannot come back through one', async () => {
    const owner = await signUpStudio(t);
    const admin = await accept((await invite(owner.token, 'planter@example.com', 'ADMIN')).token, {
      name: 'Planter',
      password: 'trainer-pass',
    });
    const planted = await invite(admin.token, 'planter-alt@example.com', 'ADMIN');
    await t.ok(
      `mutation($id: ID!) { removeMember(memberId: $id) { __typename ${ERR} } }`,
      { id: admin.member.id },
      owner.token,
    );
    expect(await accept(planted.token, { name: 'Back', password: 'trainer-pass' })).toMatchObject({
      __typename: 'InvalidInput',
      field: 'token',
    });
    expect(await t.db.prisma.user.count({ where: { email: 'planter-alt@example.com' } })).toBe(0);
    expect((await t.ok('{ team { members { name } } }', {}, owner.token)).team.members).toEqual([{ name: 'Owner' }]);
  });

  it('accepting when already a member of the team is refused and changes nothing (no silent role change)', async () => {
    const owner = await signUpStudio(t);
    const asTrainer = await invite(owner.token, 'member-twice@example.com', 'TRAINER');
    const asAdmin = await invite(owner.token, 'member-twice@example.com', 'ADMIN');
    const trainer = await accept(asTrainer.token, { name: 'Twice', password: 'trainer-pass' });
    const again = await accept(asAdmin.token, {}, trainer.token);
    expect(again).toMatchObject({ __typename: 'InvalidInput', message: expect.stringMatching(/already a member/) });
    const rows = await memberRows('member-twice@example.com');
    expect(rows.map((m) => m.role)).toEqual(['TRAINER']);
    expect(
      (await t.db.prisma.invitation.findFirstOrThrow({ where: { email: 'member-twice@example.com', role: 'ADMIN' } }))
        .acceptedAt,
    ).toBeNull();
  });
});

describe('passwords people choose', () => {
  it.each(['password', '12345678', 'qwertyuiop', 'Password1!'])(
    'refuses %s with a clear InvalidInput',
    async (password) => {
      const { signUp } = await t.ok(
        `mutation($p: String!) { signUp(teamName: "Weak", name: "W", email: "weak@example.com", password: $p) { __typename ... on InvalidInput { field message } ${ERR} } }`,
        { p: password },
      );
      expect(signUp).toMatchObject({
        __typename: 'InvalidInput',
        field: 'password',
        message: expect.stringMatching(/too easy to guess/),
      });
      expect(await t.db.prisma.user.count({ where: { email: 'weak@example.com' } })).toBe(0);
      const owner = await signUpStudio(t);
      const { token } = await invite(owner.token, 'weak-joiner@example.com');
      expect(await accept(token, { name: 'W', password })).toMatchObject({
        __typename: 'InvalidInput',
        field: 'password',
      });
      expect(await t.db.prisma.user.count({ where: { email: 'weak-joiner@example.com' } })).toBe(0);
    },
  );
});

const postgres = await createPostgresTestDatabase();
afterAll(() => postgres?.drop());

describe.runIf(postgres)('membership changes under the team lock (PostgreSQL)', () => {
  it('two owners demoting themselves at once leave exactly one owner', async () => {
    const pg = await createTestApp({ db: postgres! });
    try {
      for (let round = 0; round < 5; round++) {
        const owner = await signUpStudio(pg);
        const { inviteMember } = await pg.ok(
          INVITE,
          { email: `co-owner-${round}@example.com`, role: 'OWNER' },
          owner.token,
        );
        const { acceptInvitation: second } = await pg.ok(ACCEPT, {
          token: inviteMember.token,
          name: 'Co',
          password: 'trainer-pass',
        });
        const demote = (memberId: string, token: string) =>
          pg.ok(
            `mutation($id: ID!) { changeMemberRole(memberId: $id, role: ADMIN) { __typename ${ERR} } }`,
            { id: memberId },
            token,
          );
        const results = await Promise.all([
          demote(owner.memberId, owner.token),
          demote(second.member.id, second.token),
        ]);
        const typenames = results.map((r) => r.changeMemberRole.__typename).sort();
        expect(typenames).toEqual(['InvalidInput', 'Member']);
        const { team } = await pg.ok('{ team { members { role } } }', {}, owner.token);
        expect(team.members.filter((m: { role: string }) => m.role === 'OWNER')).toHaveLength(1);
      }
    } finally {
      await pg.close();
    }
  });
});

describe('the demo studio', () => {
  it('has no known password: each seeding makes up one, which is printed once', async () => {
    const first = await seedDemo(t.app.ledger);
    const other = await createTestApp();
    try {
      const second = await seedDemo(other.app.ledger);
      expect(second.password).not.toBe(first.password);
    } finally {
      await other.close();
    }
    const LOG_IN = `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { __typename } }`;
    expect((await t.ok(LOG_IN, { email: first.email, password: 'punchcard-demo' })).logIn.__typename).toBe(
      'InvalidCredentials',
    );
    expect((await t.ok(LOG_IN, first)).logIn.__typename).toBe('LoginPayload');
  });
});
