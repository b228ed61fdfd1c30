import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * The mail outbox: every email Punchcard sends is first a MailOutbox row. The row's unique
 * dedupeKey makes "send this alert once, ever" a database fact rather than a hope: any number
 * of instances may try to enqueue the same alert, and the unique index keeps exactly one.
 */

export interface MailDraft {
  teamId: string;
  /** Names the event the mail is about, e.g. `expiry-alert:<packageId>`; one row per key, ever. */
  dedupeKey: string;
  to: string[];
  subject: string;
  text: string;
}

/** Inserts the drafts whose key is new (INSERT … ON CONFLICT DO NOTHING); returns how many were new. */
export async function enqueueMail(prisma: PrismaClient, drafts: MailDraft[], now: Date): Promise<number> {
  if (drafts.length === 0) return 0;
  const { count } = await prisma.mailOutbox.createMany({
    data: drafts.map((d) => ({ ...d, to: [...new Set(d.to)], createdAt: now })),
    skipDuplicates: true,
  });
  return count;
}

/** The keys among `keys` already in the outbox: lets a job skip work it (or a peer) already queued. */
export async function queuedKeys(prisma: PrismaClient, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await prisma.mailOutbox.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } });
  return new Set(rows.map((r) => r.dedupeKey));
}
