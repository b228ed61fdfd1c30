import * as team from '../server/auth/team.ts';
import { requireActor } from '../server/context.ts';
import { Role } from '../server/generated/prisma/enums.ts';
import { updateTeamSettings } from '../server/ledger/catalog.ts';
import { Forbidden } from '../server/ledger/errors.ts';
import { builder } from './builder.ts';
import { COMMON_ERRORS, EmailTaken, InvalidCredentials, RateLimited } from './errors.ts';
import { inTeam, inTeamForManagers, rawId } from './ids.ts';

export const RoleEnum = builder.enumType(Role, { name: 'Role' });

export const TeamType = builder.prismaNode('Team', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, AND: [{ id: ctx.actor?.teamId ?? '' }] }),
  fields: (t) => ({
    name: t.exposeString('name'),
    cancelWindowHours: t.exposeInt('cancelWindowHours', {
      description: 'Hours before a booked session inside which cancelling forfeits the credit.',
    }),
    lowCreditThreshold: t.exposeInt('lowCreditThreshold', {
      description: 'A client at or below this many credits is running low (1–3).',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    members: t.relation('members', { query: { where: { removedAt: null }, orderBy: { createdAt: 'asc' } } }),
  }),
});

export const MemberType = builder.prismaNode('Member', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeam,
  fields: (t) => ({
    role: t.expose('role', { type: RoleEnum }),
    name: t.string({ select: { user: { select: { name: true } } }, resolve: (m) => m.user.name }),
    email: t.string({ select: { user: { select: { email: true } } }, resolve: (m) => m.user.email }),
    team: t.relation('team'),
    removed: t.boolean({ resolve: (m) => m.removedAt != null }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

/** The signed-in person: the member acting now, and every team they can switch to. */
const Me = builder.objectRef<{ memberId: string; userId: string }>('Me').implement({
  fields: (t) => ({
    member: t.prismaField({
      type: 'Member',
      resolve: (query, me, _args, ctx) => ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id: me.memberId } }),
    }),
    memberships: t.prismaField({
      type: ['Member'],
      description: 'Every team this person belongs to (the team switcher).',
      resolve: (query, me, _args, ctx) =>
        ctx.prisma.member.findMany({
          ...query,
          where: { userId: me.userId, removedAt: null },
          orderBy: { createdAt: 'asc' },
        }),
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: Me,
    nullable: true,
    description: 'The logged-in member, or null for anonymous requests and API keys.',
    resolve: (_root, _args, ctx) =>
      ctx.actor?.kind === 'MEMBER' ? { memberId: ctx.actor.memberId, userId: ctx.actor.userId } : null,
  }),
  team: t.prismaField({
    type: 'Team',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.team.findUniqueOrThrow({ ...query, where: { id: requireActor(ctx).teamId } }),
  }),
  invitations: t.prismaField({
    type: ['Invitation'],
    description: 'OWNER/ADMIN: invitations not yet accepted, revoked or expired, newest first.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.invitation.findMany({
        ...query,
        where: team.pendingInvitations(ctx.ledger, requireActor(ctx)),
        orderBy: { createdAt: 'desc' },
      }),
  }),
}));

/** A login: the token is also set as an HttpOnly cookie; non-browser clients send it as a bearer token. */
const LoginPayload = builder.objectRef<{ token: string; memberId: string }>('LoginPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>` outside a browser.' }),
    member: t.prismaField({
      type: 'Member',
      resolve: (query, login, _args, ctx) =>
        ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id: login.memberId } }),
    }),
  }),
});

async function withCookie(ctx: Parameters<typeof requireActor>[0], login: { token: string; memberId: string }) {
  await ctx.loginCookie.set(login.token);
  return login;
}

builder.prismaNode('Invitation', {
  id: { field: 'id' },
  nullable: true,
  findUnique: inTeamForManagers,
  description: `An invitation to join the team: for one email and role, single-use, expires after ${team.INVITE_DAYS} days, revocable.`,
  fields: (t) => ({
    email: t.exposeString('email'),
    role: t.expose('role', { type: RoleEnum }),
    invitedBy: t.relation('invitedBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const InvitationPayload = builder.objectRef<{ invitationId: string; token: string }>('InvitationPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Shown once: send it to the person invited.' }),
    invitation: t.prismaField({
      type: 'Invitation',
      resolve: (query, p, _args, ctx) =>
        ctx.prisma.invitation.findUniqueOrThrow({ ...query, where: { id: p.invitationId } }),
    }),
  }),
});

const TeamSettingsInput = builder.inputType('TeamSettingsInput', {
  fields: (t) => ({
    name: t.string(),
    cancelWindowHours: t.int(),
    lowCreditThreshold: t.int(),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: LoginPayload,
    description: 'Creates a studio (team) and its owner, and logs the owner in.',
    errors: { types: [...COMMON_ERRORS, EmailTaken, RateLimited] },
    args: {
      teamName: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      email: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
    },
    resolve: async (_root, args, ctx) => withCookie(ctx, await team.signUp(ctx.ledger, args)),
  }),
  logIn: t.field({
    type: LoginPayload,
    errors: { types: [...COMMON_ERRORS, InvalidCredentials, RateLimited] },
    args: {
      email: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      teamId: t.arg.id({ description: 'Which of your teams to act in; defaults to the first.' }),
    },
    resolve: async (_root, args, ctx) =>
      withCookie(
        ctx,
        await team.logIn(
          ctx.ledger,
          { ...args, teamId: args.teamId == null ? null : rawId(args.teamId, 'Team', 'teamId') },
          ctx.clientAddress,
        ),
      ),
  }),
  logOut: t.boolean({
    resolve: async (_root, _args, ctx) => {
      if (ctx.loginToken) await team.logOut(ctx.ledger, ctx.loginToken);
      await ctx.loginCookie.clear();
      return true;
    },
  }),
  switchTeam: t.prismaField({
    type: 'Member',
    errors: { types: COMMON_ERRORS },
    args: { teamId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      if (!ctx.loginToken) throw new Forbidden('Only a logged-in member can switch teams.');
      const member = await team.switchTeam(ctx.ledger, ctx.loginToken, rawId(args.teamId, 'Team', 'teamId'));
      return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id: member.id } });
    },
  }),
  inviteMember: t.field({
    type: InvitationPayload,
    errors: { types: COMMON_ERRORS },
    args: { email: t.arg.string({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: (_root, args, ctx) => team.inviteMember(ctx.ledger, requireActor(ctx), args),
  }),
  acceptInvitation: t.field({
    type: LoginPayload,
    description:
      'People new to Punchcard send a name and password. Someone with an account accepts while logged in as it ' +
      '(otherwise: Unauthenticated); no password is checked here.',
    errors: { types: [...COMMON_ERRORS, EmailTaken, RateLimited] },
    args: {
      token: t.arg.string({ required: true }),
      name: t.arg.string({ description: 'Required for people new to Punchcard.' }),
      password: t.arg.string({ description: 'Required for people new to Punchcard: the password they choose.' }),
    },
    resolve: async (_root, args, ctx) => withCookie(ctx, await team.acceptInvitation(ctx.ledger, ctx.actor, args)),
  }),
  revokeInvitation: t.prismaField({
    type: 'Invitation',
    description: 'OWNER/ADMIN: the invitation stops working at once.',
    errors: { types: COMMON_ERRORS },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await team.revokeInvitation(ctx.ledger, requireActor(ctx), rawId(args.id, 'Invitation', 'id'));
      return ctx.prisma.invitation.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  changeMemberRole: t.prismaField({
    type: 'Member',
    errors: { types: COMMON_ERRORS },
    args: { memberId: t.arg.id({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await team.changeMemberRole(ctx.ledger, requireActor(ctx), {
        memberId: rawId(args.memberId, 'Member', 'memberId'),
        role: args.role,
      });
      return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  removeMember: t.prismaField({
    type: 'Member',
    errors: { types: COMMON_ERRORS },
    args: { memberId: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await team.removeMember(ctx.ledger, requireActor(ctx), rawId(args.memberId, 'Member', 'memberId'));
      return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  updateTeamSettings: t.prismaField({
    type: 'Team',
    errors: { types: COMMON_ERRORS },
    args: { input: t.arg({ type: TeamSettingsInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const { id } = await updateTeamSettings(ctx.ledger, requireActor(ctx), {
        name: input.name ?? undefined,
        cancelWindowHours: input.cancelWindowHours ?? undefined,
        lowCreditThreshold: input.lowCreditThreshold ?? undefined,
      });
      return ctx.prisma.team.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
