import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../server/demo.ts';
import { dashboard } from '../server/ledger/dashboard.ts';
import { createTestApp, DAY, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.current = new Date('2026-06-01T12:00:00Z');
  await seedDemo(t.app.ledger);
});
afterAll(() => t.close());

it('the demo writes each entry when its session happened, so history and dashboard add up', async () => {
  const used = await t.db.prisma.ledgerEntry.findMany({ where: { event: 'USED' }, include: { session: true } });
  // Logged sessions take their credit when they happened; Alex's booking took its credit when booked.
  const logged = used.filter((e) => e.session?.status !== 'BOOKED');
  expect(logged.length).toBe(21);
  for (const e of logged) expect(e.createdAt).toEqual(e.session?.startsAt);
  const team = await t.db.prisma.team.findFirstOrThrow();
  // The last two weeks: the trend's sessions and the credits used are the same sessions.
  const to = t.clock.now();
  const from = new Date(to.getTime() - 14 * DAY);
  const d = await dashboard(t.db.prisma, team.id, { from, to, interval: 'DAY' }, to);
  const inRange = used.filter((e) => e.createdAt >= from && e.createdAt < to).length;
  expect(inRange).toBeGreaterThan(0);
  expect(d.creditsUsed).toBe(inRange);
  // Only Alex's pack was sold in these two weeks (before Alex's first session); the others earlier.
  expect(d.creditsIssued).toBe(10);
  const alex = await t.db.prisma.package.findFirstOrThrow({ where: { client: { name: 'Alex Rivera' } } });
  expect(alex.createdAt.getTime()).toBeLessThan(
    Math.min(...logged.filter((e) => e.packageId === alex.id).map((e) => e.createdAt.getTime())),
  );
});
