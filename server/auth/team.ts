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
import * as v from '../ledger/validate.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from './secrets.ts';

/** Sign-up, log-in and team membership. A user can belong to several teams. */

export const LOGIN_DAYS = 30;
const INVITE_DAYS = 7;

function password(value: string): string {
  if (value.length < 8) throw new InvalidInput('password', 'Use at least 8 characters.');
  if (value.length > 256) throw new InvalidInput('password', 'Use at most 256 characters.');
  return value;
}

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
  const data = {
    teamName: v.name('teamName', input.teamName),
    name: v.name('name', input.name),
    passwordHash: await hashPassword(password(input.password)),
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
 * Logs in to the team given, or the first team the user joined. Failed attempts are counted
 * per email and client address (`throttleKey`); past the limit, even a right password waits.
 */
export async function logIn(
  ctx: LedgerContext,
  input: { email: string; password: string; teamId?: string | null },
  client = 'unknown',
) {
  const email = input.email.trim().toLowerCase();
  const throttleKey = `${email}|${client}`;
  await ctx.limits?.loginAllowed(throttleKey);
  const user = await ctx.prisma.user.findUnique({
    where: { email },
    include: { members: { where: { removedAt: null }, orderBy: { createdAt: 'asc' } } },
  });
  // Verify even for unknown emails so response time does not reveal which emails exist.
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), input.password);
  if (!user || !ok) {
    await ctx.limits?.loginFailed(throttleKey);
    throw new InvalidCredentials();
  }
  await ctx.limits?.loginSucceeded(throttleKey);
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
 * (mail delivery is the mail outbox's job); accepting it creates the membership.
 */
export async function inviteMember(ctx: LedgerContext, actor: Actor, input: { email: string; role: Role }) {
  requireManager(actor);
  assignableRole(actor, input.role);
  const email = v.email('email', input.email);
  const existing = await ctx.prisma.member.findFirst({
    where: { teamId: actor.teamId, removedAt: null, user: { email } },
  });
  if (existing) throw new InvalidInput('email', 'That person is already on the team.');
  const token = newToken('inv_');
  const invitation = await ctx.prisma.invitation.create({
    data: {
      teamId: actor.teamId,
      email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedById: actor.memberId,
      expiresAt: new Date(ctx.now().getTime() + INVITE_DAYS * 86_400_000),
    },
  });
  return { invitationId: invitation.id, token };
}

/** New people set a name and password; existing users confirm with their password. */
export async function acceptInvitation(
  ctx: LedgerContext,
  input: { token: string; name?: string | null; password: string },
) {
  const invitation = await ctx.prisma.invitation.findUnique({ where: { tokenHash: hashToken(input.token) } });
  if (!invitation || invitation.acceptedAt || invitation.expiresAt <= ctx.now()) {
    throw new InvalidInput('token', 'This invitation is invalid, used or expired.');
  }
  let user = await ctx.prisma.user.findUnique({ where: { email: invitation.email } });
  if (user) {
    if (!(await verifyPassword(user.passwordHash, input.password))) throw new InvalidCredentials();
  } else {
    user = await ctx.prisma.user.create({
      data: {
        email: invitation.email,
        name: v.name('name', input.name ?? ''),
        passwordHash: await hashPassword(password(input.password)),
      },
    });
  }
  const member = await ctx.prisma.member.upsert({
    where: { teamId_userId: { teamId: invitation.teamId, userId: user.id } },
    create: { teamId: invitation.teamId, userId: user.id, role: invitation.role },
    update: { role: invitation.role, removedAt: null },
  });
  await ctx.prisma.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: ctx.now() } });
  return startLogin(ctx, user.id, member.id);
}

async function teamMember(ctx: LedgerContext, actor: Actor, memberId: string) {
  const member = await ctx.prisma.member.findFirst({ where: { id: memberId, teamId: actor.teamId, removedAt: null } });
  if (!member) throw new NotFound('Member', memberId);
  return member;
}

async function keepAnOwner(ctx: LedgerContext, teamId: string, leaving: { role: Role }) {
  if (leaving.role !== 'OWNER') return;
  const owners = await ctx.prisma.member.count({ where: { teamId, role: 'OWNER', removedAt: null } });
  if (owners <= 1) throw new InvalidInput('memberId', 'A team needs at least one owner.');
}

export async function changeMemberRole(ctx: LedgerContext, actor: Actor, input: { memberId: string; role: Role }) {
  requireManager(actor);
  const member = await teamMember(ctx, actor, input.memberId);
  assignableRole(actor, input.role);
  if (member.role === 'OWNER' && actor.role !== 'OWNER') throw new Forbidden('Only an owner can change an owner.');
  if (input.role !== 'OWNER') await keepAnOwner(ctx, actor.teamId, member);
  return ctx.prisma.member.update({ where: { id: member.id }, data: { role: input.role }, select: { id: true } });
}

/** The member loses access at once: their logins into this team end. History keeps their name. */
export async function removeMember(ctx: LedgerContext, actor: Actor, memberId: string) {
  requireManager(actor);
  const member = await teamMember(ctx, actor, memberId);
  if (member.role === 'OWNER' && actor.role !== 'OWNER') throw new Forbidden('Only an owner can remove an owner.');
  await keepAnOwner(ctx, actor.teamId, member);
  await ctx.prisma.$transaction([
    ctx.prisma.member.update({ where: { id: member.id }, data: { removedAt: ctx.now() } }),
    ctx.prisma.loginSession.deleteMany({ where: { memberId: member.id } }),
  ]);
  ctx.accessChanged?.(actor.teamId);
  return { id: member.id };
}
