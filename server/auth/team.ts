import type { Role } from '../generated/prisma/enums.ts';
import { type Actor, requireManager } from '../ledger/actor.ts';
import type { LedgerContext } from '../ledger/context.ts';
import {
  EmailTaken,
  Forbidden,
  InvalidCredentials,
  InvalidInput,
  NotFound,
  Unauthenticated,
} from '../ledger/errors.ts';
import { type Tx, writeForTeam } from '../ledger/team-write.ts';
import * as v from '../ledger/validate.ts';
import { newPassword } from './password-strength.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from './secrets.ts';

/** Sign-up, log-in and team membership. A user can belong to several teams. */

export const LOGIN_DAYS = 30;
export const INVITE_DAYS = 7;

async function startLogin(ctx: LedgerContext, userId: string, memberId: string) {
  const token = newToken();
  const now = ctx.now();
  await ctx.prisma.loginSession.create({
    data: {
      tokenHash: hashToken(token),
      userId,
      memberId,
      expiresAt: new Date(now.getTime() + LOGIN_DAYS * 86_400_000),
      createdAt: now,
      lastSeenAt: now,
    },
  });
  return { token, memberId };
}

/** Creates a team, its OWNER, and a login. */
export async function signUp(
  ctx: LedgerContext,
  input: { teamName: string; name: string; email: string; password: string },
) {
  const email = v.email('email', input.email);
  const teamName = v.name('teamName', input.teamName);
  const name = v.name('name', input.name);
  const data = {
    teamName,
    name,
    passwordHash: await hashPassword(newPassword(input.password, [email, name, teamName])),
  };
  if (await ctx.prisma.user.findUnique({ where: { email } })) throw new EmailTaken();
  const member = await ctx.prisma.member
    .create({
      data: {
        role: 'OWNER',
        team: { create: { name: data.teamName } },
        user: { create: { email, name: data.name, passwordHash: data.passwordHash } },
      },
    })
    .catch((error: { code?: string }) => {
      // Two sign-ups racing for one email: the unique index decides.
      if (error.code === 'P2002') throw new EmailTaken();
      throw error;
    });
  return startLogin(ctx, member.userId, member.id);
}

/**
 * Logs in to the team given, or the first team the user joined. Attempts are counted per
 * email and client address, and per address over all emails (spraying); past a limit, even a
 * right password waits. This is the only place a password is checked.
 */
export async function logIn(
  ctx: LedgerContext,
  input: { email: string; password: string; teamId?: string | null },
  client = 'unknown',
) {
  const email = input.email.trim().toLowerCase();
  await ctx.limits?.passwordAttempt(email, client);
  const user = await ctx.prisma.user.findUnique({
    where: { email },
    include: { members: { where: { removedAt: null }, orderBy: { createdAt: 'asc' } } },
  });
  // Verify even for unknown emails so response time does not reveal which emails exist.
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!user || !ok) throw new InvalidCredentials();
  await ctx.limits?.passwordSucceeded(email, client);
  const member = input.teamId ? user.members.find((m) => m.teamId === input.teamId) : user.members[0];
  if (!member) throw new Forbidden('You are not a member of that team.');
  return startLogin(ctx, user.id, member.id);
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(newToken());
  return dummy;
}

export async function logOut(ctx: LedgerContext, token: string) {
  const session = await ctx.prisma.loginSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { member: true },
  });
  if (!session) return;
  await ctx.prisma.loginSession.deleteMany({ where: { id: session.id } });
  ctx.accessChanged?.(session.member.teamId);
}

/** The team switcher: the same login acts in another of the user's teams. */
export async function switchTeam(ctx: LedgerContext, token: string, teamId: string) {
  const session = await ctx.prisma.loginSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { member: true },
  });
  if (!session) throw new Unauthenticated();
  const member = await ctx.prisma.member.findFirst({ where: { userId: session.userId, teamId, removedAt: null } });
  if (!member) throw new Forbidden('You are not a member of that team.');
  await ctx.prisma.loginSession.update({ where: { id: session.id }, data: { memberId: member.id } });
  // Subscriptions opened in the previous team must stop.
  ctx.accessChanged?.(session.member.teamId);
  return member;
}

/** Resolves a login token to the acting member; removed members and expired logins get nothing. */
export async function actorForLogin(ctx: LedgerContext, token: string): Promise<Actor | null> {
  const session = await ctx.prisma.loginSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { member: true },
  });
  if (!session || session.expiresAt <= ctx.now() || session.member.removedAt) return null;
  const { member } = session;
  return { kind: 'MEMBER', teamId: member.teamId, memberId: member.id, userId: member.userId, role: member.role };
}

function assignableRole(actor: Extract<Actor, { kind: 'MEMBER' }>, role: Role) {
  // Only an owner can make (or unmake) another owner.
  if (role === 'OWNER' && actor.role !== 'OWNER') throw new Forbidden('Only an owner can make someone an owner.');
}

/**
 * Invites an email to the team. The invite token is returned once, to be sent to the person
 * (mail delivery is the mail outbox's job); accepting it creates the membership. An invitation
 * is for one email and role, single-use, expires after INVITE_DAYS, and can be revoked.
 */
export async function inviteMember(ctx: LedgerContext, actor: Actor, input: { email: string; role: Role }) {
  requireManager(actor);
  assignableRole(actor, input.role);
  const email = v.email('email', input.email);
  return writeForTeam(ctx, actor, async ({ tx, now }) => {
    const existing = await tx.member.findFirst({ where: { teamId: actor.teamId, removedAt: null, user: { email } } });
    if (existing) throw new InvalidInput('email', 'That person is already on the team.');
    const token = newToken('inv_');
    const invitation = await tx.invitation.create({
      data: {
        teamId: actor.teamId,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        invitedById: actor.memberId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + INVITE_DAYS * 86_400_000),
      },
    });
    return { invitationId: invitation.id, token };
  });
}

/** Neither accepted, revoked nor expired. */
export function pendingInvitationWhere(now: Date) {
  return { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } };
}

/** OWNER/ADMIN: the team's pending invitations, newest first. */
export function pendingInvitations(ctx: LedgerContext, actor: Actor) {
  requireManager(actor);
  return { teamId: actor.teamId, ...pendingInvitationWhere(ctx.now()) };
}

/** OWNER/ADMIN: the invitation stops working at once. Owner invitations are an owner's to revoke. */
export async function revokeInvitation(ctx: LedgerContext, actor: Actor, invitationId: string) {
  requireManager(actor);
  return writeForTeam(ctx, actor, async ({ tx, now }) => {
    const invitation = await tx.invitation.findFirst({ where: { id: invitationId, teamId: actor.teamId } });
    if (!invitation) throw new NotFound('Invitation', invitationId);
    assignableRole(actor, invitation.role);
    if (invitation.acceptedAt) throw new InvalidInput('id', 'This invitation was already accepted.');
    if (!invitation.revokedAt) await tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: now } });
    return { id: invitation.id };
  });
}

const INVALID_INVITATION = 'This invitation is invalid, used, revoked or expired.';

/**
 * New people choose a name and password. Someone who already has an account accepts while
 * logged in as that account: no password is checked here, so an invitation cannot be used to
 * guess one (logIn, with its throttle, is the only password check).
 */
export async function acceptInvitation(
  ctx: LedgerContext,
  actor: Actor | null,
  input: { token: string; name?: string | null; password?: string | null },
) {
  const found = await ctx.prisma.invitation.findUnique({ where: { tokenHash: hashToken(input.token) } });
  if (!found || found.acceptedAt || found.revokedAt || found.expiresAt <= ctx.now()) {
    throw new InvalidInput('token', INVALID_INVITATION);
  }
  const user = await ctx.prisma.user.findUnique({ where: { email: found.email } });
  let newUser: { email: string; name: string; passwordHash: string } | null = null;
  if (user) {
    if (actor?.kind !== 'MEMBER') {
      throw new Unauthenticated(
        `This invitation is for an existing account: log in as ${found.email}, then accept it.`,
      );
    }
    if (actor.userId !== user.id) {
      throw new Forbidden(`This invitation is for ${found.email}: log out and log in as that account to accept it.`);
    }
  } else {
    const name = v.name('name', input.name ?? '');
    // Hash outside the team's lock: it takes tens of milliseconds.
    const passwordHash = await hashPassword(newPassword(input.password ?? '', [found.email, name]));
    newUser = { email: found.email, name, passwordHash };
  }
  const system: Actor = { kind: 'SYSTEM', teamId: found.teamId };
  const member = await writeForTeam(ctx, system, async ({ tx, now }) => {
    // Under the team's lock: the invitation is still pending and its sender still on the team.
    const invitation = await tx.invitation.findUnique({ where: { id: found.id }, include: { invitedBy: true } });
    if (
      !invitation ||
      invitation.acceptedAt ||
      invitation.revokedAt ||
      invitation.expiresAt <= now ||
      invitation.invitedBy.removedAt
    ) {
      throw new InvalidInput('token', INVALID_INVITATION);
    }
    const userId = user?.id ?? (await createUser(tx, newUser!)).id;
    const existing = await tx.member.findUnique({ where: { teamId_userId: { teamId: invitation.teamId, userId } } });
    if (existing && !existing.removedAt) throw new InvalidInput('token', 'You are already a member of this team.');
    const joined = existing
      ? await tx.member.update({ where: { id: existing.id }, data: { role: invitation.role, removedAt: null } })
      : await tx.member.create({ data: { teamId: invitation.teamId, userId, role: invitation.role } });
    await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: now } });
    return joined;
  });
  return startLogin(ctx, member.userId, member.id);
}

function createUser(tx: Tx, data: { email: string; name: string; passwordHash: string }) {
  return tx.user.create({ data }).catch((error: { code?: string }) => {
    // Signed up with this email a moment ago: they log in and accept as that account.
    if (error.code === 'P2002') throw new EmailTaken();
    throw error;
  });
}

async function teamMember(tx: Tx, actor: Actor, memberId: string) {
  const member = await tx.member.findFirst({ where: { id: memberId, teamId: actor.teamId, removedAt: null } });
  if (!member) throw new NotFound('Member', memberId);
  return member;
}

/** Read under the team's lock, so two owners stepping down at once cannot both pass it. */
async function keepAnOwner(tx: Tx, teamId: string, leaving: { role: Role }) {
  if (leaving.role !== 'OWNER') return;
  const owners = await tx.member.count({ where: { teamId, role: 'OWNER', removedAt: null } });
  if (owners <= 1) throw new InvalidInput('memberId', 'A team needs at least one owner.');
}

export async function changeMemberRole(ctx: LedgerContext, actor: Actor, input: { memberId: string; role: Role }) {
  requireManager(actor);
  assignableRole(actor, input.role);
  return writeForTeam(ctx, actor, async ({ tx }) => {
    const member = await teamMember(tx, actor, input.memberId);
    if (member.role === 'OWNER' && actor.role !== 'OWNER') throw new Forbidden('Only an owner can change an owner.');
    if (input.role !== 'OWNER') await keepAnOwner(tx, actor.teamId, member);
    return tx.member.update({ where: { id: member.id }, data: { role: input.role }, select: { id: true } });
  });
}

/**
 * The member loses access at once: their logins into this team end, and the invitations they
 * sent are revoked (a removed admin must not get back in through one). History keeps their name.
 */
export async function removeMember(ctx: LedgerContext, actor: Actor, memberId: string) {
  requireManager(actor);
  const removed = await writeForTeam(ctx, actor, async ({ tx, now }) => {
    const member = await teamMember(tx, actor, memberId);
    if (member.role === 'OWNER' && actor.role !== 'OWNER') throw new Forbidden('Only an owner can remove an owner.');
    await keepAnOwner(tx, actor.teamId, member);
    await tx.member.update({ where: { id: member.id }, data: { removedAt: now } });
    await tx.loginSession.deleteMany({ where: { memberId: member.id } });
    await tx.invitation.updateMany({
      where: { invitedById: member.id, ...pendingInvitationWhere(now) },
      data: { revokedAt: now },
    });
    return { id: member.id };
  });
  ctx.accessChanged?.(actor.teamId);
  return removed;
}
