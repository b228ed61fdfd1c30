import { requireActor } from '../server/context.ts';
import { abortable } from '../server/events/abortable.ts';
import { readEvents, type TeamEvent } from '../server/events/hub.ts';
import { SessionChange } from '../server/generated/prisma/enums.ts';
import { NotFound } from '../server/ledger/errors.ts';
import { builder } from './builder.ts';
import { globalId, rawId } from './ids.ts';
import { LedgerEntryType } from './package.ts';
import { SessionStatusEnum } from './session.ts';

const TeamEventKind = builder.enumType('TeamEventKind', {
  values: {
    LEDGER_ENTRY: { description: 'A credit moved (or was voided): see `entry`.' },
    SESSION_CHANGE: { description: 'A session changed without moving credits: see `sessionEvent`.' },
  } as const,
});

const SessionChangeEnum = builder.enumType(SessionChange, { name: 'SessionChange' });

const SessionEventType = builder.prismaObject('SessionEvent', {
  fields: (t) => ({
    change: t.expose('change', { type: SessionChangeEnum }),
    status: t.expose('status', { type: SessionStatusEnum }),
    session: t.relation('session'),
    actorName: t.string({
      select: {
        actorMember: { select: { user: { select: { name: true } } } },
        actorApiKey: { select: { name: true } },
      },
      resolve: (e) => e.actorMember?.user.name ?? (e.actorApiKey ? `API key "${e.actorApiKey.name}"` : 'Punchcard'),
    }),
  }),
});

const TeamEventType = builder.objectRef<TeamEvent>('TeamEvent').implement({
  description: "One item of the team's event stream, in commit order. `sequence` is the cursor to resume from.",
  fields: (t) => ({
    sequence: t.exposeInt('sequence'),
    kind: t.field({ type: TeamEventKind, resolve: (e) => e.kind }),
    clientId: t.id({ resolve: (e) => globalId('Client', e.clientId) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    entry: t.field({ type: LedgerEntryType, nullable: true, resolve: (e) => e.entry }),
    sessionEvent: t.field({ type: SessionEventType, nullable: true, resolve: (e) => e.sessionEvent }),
  }),
});

builder.queryField('recentTeamEvents', (t) =>
  t.field({
    type: [TeamEventType],
    description: "The team's latest events, newest first (an activity feed's history before it goes live).",
    args: { last: t.arg.int({ defaultValue: 20 }) },
    resolve: async (_root, args, ctx) => {
      const { teamId } = requireActor(ctx);
      const last = Math.min(Math.max(args.last ?? 20, 1), 200);
      const team = await ctx.prisma.team.findUniqueOrThrow({ where: { id: teamId }, select: { lastSequence: true } });
      const events = await readEvents(ctx.prisma, teamId, Math.max(0, team.lastSequence - last), last);
      return events.reverse();
    },
  }),
);

builder.subscriptionType({});

builder.subscriptionFields((t) => ({
  ledgerEvents: t.field({
    type: TeamEventType,
    description:
      'Every ledger entry and credit-free session change of your team, in sequence order. With `after`, first replays what was committed after that cursor, then goes live: no gaps, no duplicates.',
    args: { after: t.arg.int({ description: 'The last sequence you have seen.' }) },
    subscribe: (_root, args, ctx) => {
      const { teamId } = requireActor(ctx);
      return abortable((signal) => ctx.hub.stream(teamId, args.after ?? null, ctx.stillAuthorized, signal));
    },
    resolve: (event) => event,
  }),
  balanceChanged: t.prismaField({
    type: 'Client',
    description: "The client's packages and totals: once at subscribe time and again after every change.",
    args: { clientId: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => {
      const { teamId } = requireActor(ctx);
      const clientId = rawId(args.clientId, 'Client', 'clientId');
      return abortable(async function* (signal) {
        const client = await ctx.prisma.client.findFirst({ where: { id: clientId, teamId }, select: { id: true } });
        if (!client) throw new NotFound('Client', clientId);
        yield clientId;
        for await (const event of ctx.hub.stream(teamId, null, ctx.stillAuthorized, signal)) {
          if (event.clientId === clientId) yield clientId;
        }
      });
    },
    resolve: (query, clientId, _args, ctx) =>
      ctx.prisma.client.findUniqueOrThrow({ ...query, where: { id: clientId as string } }),
  }),
}));
