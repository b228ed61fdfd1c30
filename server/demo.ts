import { randomBytes } from 'node:crypto';
import { signUp } from './auth/team.ts';
import type { Actor } from './ledger/actor.ts';
import { createClient, createPackageTemplate, createSessionType } from './ledger/catalog.ts';
import type { LedgerContext } from './ledger/context.ts';
import { createPackage } from './ledger/packages.ts';
import { bookSession, logSession } from './ledger/sessions.ts';

export const DEMO_EMAIL = 'owner@demo.punchcard.test';

/**
 * The demo owner's password is made up at seeding and printed once: a fixed, published password
 * would open every deployment that seeded the demo where the internet can reach it.
 */
function demoPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * A small studio to explore on a first start: two session types, a template, clients of every
 * billing type, packages in green, amber, red and expired, and some history. Built through the
 * ledger, so the demo obeys the same rules as real data.
 */
export async function seedDemo(ctx: LedgerContext): Promise<{ email: string; password: string }> {
  const login = { email: DEMO_EMAIL, password: demoPassword() };
  const { memberId } = await signUp(ctx, { teamName: 'Demo Studio', name: 'Dana Owner', ...login });
  const member = await ctx.prisma.member.findUniqueOrThrow({ where: { id: memberId } });
  const actor: Actor = { kind: 'MEMBER', teamId: member.teamId, memberId, userId: member.userId, role: 'OWNER' };
  const day = 86_400_000;
  const now = ctx.now().getTime();
  // History is written as it would have happened: each entry at its session's (or sale's) time,
  // so the dashboard's days and the balance history add up.
  const at = (time: number): LedgerContext => ({ ...ctx, now: () => new Date(time) });

  const oneOnOne = await createSessionType(ctx, actor, { name: '1-on-1', requiresCredits: true, durationMinutes: 60 });
  await createSessionType(ctx, actor, { name: 'Group HIIT', requiresCredits: true, durationMinutes: 45 });
  const pack = await createPackageTemplate(ctx, actor, {
    name: '10-Session Pack',
    credits: 10,
    priceCents: 45_000,
    expiryDays: 90,
  });
  await createPackageTemplate(ctx, actor, { name: 'Intro Special', credits: 3, priceCents: 9_900, expiryDays: 30 });

  const clients = [
    { name: 'Alex Rivera', email: 'alex@example.com', used: 3 },
    { name: 'Blair Chen', email: 'blair@example.com', used: 8 },
    { name: 'Casey Morgan', email: 'casey@example.com', used: 10 },
  ];
  for (const c of clients) {
    const soldAt = at(now - (c.used * 3 + 1) * day);
    const { id } = await createClient(soldAt, actor, { name: c.name, email: c.email, billingType: 'PACKAGE' });
    await createPackage(soldAt, actor, { clientId: id, templateId: pack.id });
    for (let i = 0; i < c.used; i++) {
      const startsAt = now - (c.used - i) * 3 * day;
      await logSession(at(startsAt), actor, {
        clientId: id,
        status: i % 5 === 4 ? 'NO_SHOW' : 'COMPLETED',
        sessionTypeId: oneOnOne.id,
        startsAt: new Date(startsAt),
      });
    }
  }
  const alex = await ctx.prisma.client.findFirstOrThrow({ where: { teamId: actor.teamId, name: 'Alex Rivera' } });
  await bookSession(ctx, actor, { clientId: alex.id, sessionTypeId: oneOnOne.id, startsAt: new Date(now + 2 * day) });
  const monthly = await createClient(ctx, actor, {
    name: 'Devon Park',
    email: 'devon@example.com',
    billingType: 'MONTHLY',
  });
  await logSession(at(now - day), actor, { clientId: monthly.id, status: 'COMPLETED', startsAt: new Date(now - day) });
  return login;
}
