import { requireActor } from '../server/context.ts';
import * as notifications from '../server/mail/notifications.ts';
import { builder } from './builder.ts';
import { COMMON_ERRORS } from './errors.ts';
import { globalId, rawId } from './ids.ts';

const NotificationKind = builder.enumType('NotificationKind', {
  values: {
    EXPIRY_ALERT: { description: "A client's package expires within 7 days and still has credits." },
    LOW_CREDITS: { description: "A client's total credits fell to the team's low-credit threshold." },
    OTHER: {},
  } as const,
});

const NotificationDelivery = builder.enumType('NotificationDelivery', {
  description: 'How far the email got.',
  values: {
    PENDING: { description: 'Queued: the next job run sends it (failed attempts wait, then retry).' },
    SENDING: { description: 'Being handed to the mail relay.' },
    SENT: {
      description:
        'Accepted by the mail relay. Without SMTP configured on the server: delivered to these notifications and the server log only.',
    },
    FAILED: { description: 'Refused for good by the relay, or every retry failed.' },
  } as const,
});

const kindOf = (dedupeKey: string) =>
  dedupeKey.startsWith('expiry-alert:')
    ? 'EXPIRY_ALERT'
    : dedupeKey.startsWith('low-credits:')
      ? 'LOW_CREDITS'
      : 'OTHER';

/**
 * A mail of the team's outbox, read in the app. Not a Node: `node(id)` cannot apply the
 * per-recipient visibility rule, so notifications are only reachable through the fields below.
 */
export const NotificationType = builder.prismaObject('MailOutbox', {
  name: 'Notification',
  description: 'An email Punchcard sent to the team (package expiry, running low), as kept in its outbox.',
  fields: (t) => ({
    id: t.id({ resolve: (n) => globalId('Notification', n.id) }),
    kind: t.field({ type: NotificationKind, resolve: (n) => kindOf(n.dedupeKey) }),
    subject: t.exposeString('subject'),
    text: t.exposeString('text'),
    recipients: t.exposeStringList('to'),
    delivery: t.expose('status', { type: NotificationDelivery }),
    read: t.boolean({ resolve: (n) => n.readAt != null }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  notifications: t.prismaConnection({
    type: NotificationType,
    cursor: 'id',
    description: "Newest first. Owners and admins see all of the team's mail; trainers see mail addressed to them.",
    args: { unreadOnly: t.arg.boolean({ defaultValue: false }) },
    resolve: async (query, _root, args, ctx) => {
      const scope = await notifications.notificationScope(ctx.ledger, requireActor(ctx));
      return ctx.prisma.mailOutbox.findMany({
        ...query,
        where: { AND: [scope, args.unreadOnly ? { readAt: null } : {}] },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
    },
  }),
  unreadNotificationCount: t.int({
    resolve: async (_root, _args, ctx) => {
      const scope = await notifications.notificationScope(ctx.ledger, requireActor(ctx));
      return ctx.prisma.mailOutbox.count({ where: { AND: [scope, { readAt: null }] } });
    },
  }),
}));

builder.mutationFields((t) => ({
  markNotificationRead: t.prismaField({
    type: NotificationType,
    errors: { types: COMMON_ERRORS },
    description: 'Marks a notification read (or, with read: false, unread again) for everyone who sees it.',
    args: { id: t.arg.id({ required: true }), read: t.arg.boolean({ defaultValue: true }) },
    resolve: async (query, _root, args, ctx) => {
      const { id } = await notifications.markNotificationRead(
        ctx.ledger,
        requireActor(ctx),
        rawId(args.id, 'Notification', 'id'),
        args.read ?? true,
      );
      return ctx.prisma.mailOutbox.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));
