import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../server/db/index.ts';
import { createTestDatabase } from '../server/db/test-db.ts';
import type { Actor } from '../server/ledger/actor.ts';
import { activePackageWhere } from '../server/ledger/balances.ts';
import { createClient, createSessionType } from '../server/ledger/catalog.ts';
import { isExpired } from '../server/ledger/client-credits.ts';
import type { LedgerContext } from '../server/ledger/context.ts';
import { DomainError, InsufficientCredits } from '../server/ledger/errors.ts';
import { createPackage, expirePackages, issueCredits, removeCredits } from '../server/ledger/packages.ts';
import { bookSession, cancellationOutcome, cancelSession, logSession, undoSession } from '../server/ledger/sessions.ts';
import { DAY, HOUR, TestClock } from './helpers.ts';

/**
 * Model-based property test of the ledger: random sequences of issue / remove / log / book /
 * cancel / undo / expire / time passing, some run concurrently. After every sequential step the
 * client's balance moved by exactly what the operation promises (or not at all when refused),
 * and after every run the invariants of DESIGN.md hold on the tables.
 */

// 200 random histories in `npm test`; the reliability suite (CI) runs a thousand more
// (test/reliability/ledger-property.reliability.ts). PROPERTY_RUNS overrides both.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

let db: Database;
const clock = new TestClock();
let ctx: LedgerContext;
beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: clock.now };
});
afterAll(() => db.close());

type Op =
  | { kind: 'issue'; credits: number; expiresInDays: number | null; typed: boolean }
  | { kind: 'remove'; credits: number }
  | { kind: 'log'; status: 'COMPLETED' | 'NO_SHOW' | 'LATE_CANCELLED' | 'CANCELLED'; typed: boolean }
  | { kind: 'book'; inHours: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'undo'; pick: number }
  | { kind: 'expire' }
  | { kind: 'wait'; hours: number }
  | { kind: 'concurrently'; ops: Op[] };

const simpleOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('issue' as const),
    credits: fc.integer({ min: 1, max: 5 }),
    expiresInDays: fc.option(fc.integer({ min: 1, max: 10 })),
    typed: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('remove' as const), credits: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant('log' as const),
    status: fc.constantFrom('COMPLETED', 'NO_SHOW', 'LATE_CANCELLED', 'CANCELLED'),
    typed: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('book' as const), inHours: fc.integer({ min: 1, max: 72 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('undo' as const), pick: fc.nat() }),
  fc.constant({ kind: 'expire' as const }),
  fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 60 }) }),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: simpleOp },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('concurrently' as const),
      ops: fc.array(simpleOp, { minLength: 2, maxLength: 6 }),
    }),
  },
);

async function setup() {
  const team = await db.prisma.team.create({ data: { name: 'Property', cancelWindowHours: 24 } });
  const user = await db.prisma.user.create({ data: { email: `${team.id}@example.com`, name: 'P', passwordHash: 'x' } });
  const member = await db.prisma.member.create({ data: { teamId: team.id, userId: user.id, role: 'OWNER' } });
  const actor: Actor = { kind: 'MEMBER', teamId: team.id, memberId: member.id, userId: user.id, role: 'OWNER' };
  const type = await createSessionType(ctx, actor, { name: 'PT' });
  const client = await createClient(ctx, actor, { name: 'C' });
  await createPackage(ctx, actor, { clientId: client.id, name: 'Start', credits: 3 });
  return { actor, teamId: team.id, clientId: client.id, typeId: type.id, sessions: [] as string[] };
}

async function balance(clientId: string) {
  const agg = await db.prisma.package.aggregate({
    where: { clientId, ...activePackageWhere(clock.now()) },
    _sum: { remainingCredits: true },
  });
  return agg._sum.remainingCredits ?? 0;
}

/** Runs one op; returns the balance change it promises (null when refused). */
async function run(w: Awaited<ReturnType<typeof setup>>, o: Op): Promise<number | null> {
  const { actor, clientId, typeId } = w;
  try {
    switch (o.kind) {
      case 'issue':
        await issueCredits(ctx, actor, {
          clientId,
          sessionTypeId: typeId,
          credits: o.credits,
          expiresOn: o.expiresInDays ? new Date(clock.now().getTime() + o.expiresInDays * DAY) : null,
        });
        return o.credits;
      case 'remove':
        await removeCredits(ctx, actor, { clientId, credits: o.credits });
        return -o.credits;
      case 'log': {
        const r = await logSession(ctx, actor, { clientId, status: o.status, sessionTypeId: o.typed ? typeId : null });
        w.sessions.push(r.sessionId);
        return r.packageId ? -1 : 0;
      }
      case 'book': {
        const r = await bookSession(ctx, actor, {
          clientId,
          sessionTypeId: typeId,
          startsAt: new Date(clock.now().getTime() + o.inHours * HOUR),
        });
        w.sessions.push(r.sessionId);
        return r.packageId ? -1 : 0;
      }
      case 'cancel':
      case 'undo': {
        if (w.sessions.length === 0) return 0;
        const sessionId = w.sessions[o.pick % w.sessions.length];
        const session = await db.prisma.session.findUniqueOrThrow({
          where: { id: sessionId },
          include: { package: true },
        });
        // A credit given back to a package past its expiry day does not count: it has lapsed.
        const lapses = session.package != null && isExpired(session.package, clock.now());
        if (o.kind === 'cancel') {
          const outcome = cancellationOutcome(session, clock.now());
          await cancelSession(ctx, actor, { sessionId });
          return outcome === 'RETURN' && !lapses ? 1 : 0;
        }
        await undoSession(ctx, actor, { sessionId });
        return session.holdsCredit && session.package && !lapses ? 1 : 0;
      }
      case 'expire': {
        await expirePackages(ctx, actor.teamId);
        return 0; // already out of the active balance since the start of the expiry day
      }
      case 'wait':
        clock.advance(o.hours * HOUR);
        return null; // time passing changes the active balance by itself
      case 'concurrently':
        await Promise.all(o.ops.map((inner) => run(w, inner)));
        return null;
    }
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error instanceof InsufficientCredits) expect(error.balance).toBeLessThan(error.required);
    return 0;
  }
}

async function checkInvariants(teamId: string) {
  const packages = await db.prisma.package.findMany({ where: { teamId }, include: { ledgerEntries: true } });
  for (const p of packages) {
    expect(p.remainingCredits).toBe(p.ledgerEntries.reduce((a, e) => a + e.amount, 0));
    expect(p.remainingCredits).toBeGreaterThanOrEqual(0);
    expect(p.remainingCredits).toBeLessThanOrEqual(p.totalCredits);
  }
  const entries = await db.prisma.ledgerEntry.findMany({ where: { teamId } });
  const used = entries.filter((e) => e.event === 'USED');
  expect(used.every((e) => e.sessionId != null)).toBe(true);
  expect(new Set(used.map((e) => e.sessionId)).size).toBe(used.length);
  const events = await db.prisma.sessionEvent.findMany({ where: { teamId }, select: { sequence: true } });
  const team = await db.prisma.team.findUniqueOrThrow({ where: { id: teamId } });
  const sequences = [...entries, ...events].map((e) => e.sequence).sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: team.lastSequence }, (_, i) => i + 1));
  // A session holds a credit exactly when its USED entry has not been returned or reversed.
  const sessions = await db.prisma.session.findMany({ where: { teamId }, include: { ledgerEntries: true } });
  for (const s of sessions) {
    const net = s.ledgerEntries.reduce(
      (a, e) => a + (e.event === 'USED' ? 1 : e.event === 'RETURNED' || e.event === 'REVERSED' ? -1 : 0),
      0,
    );
    expect(net).toBe(s.holdsCredit ? 1 : 0);
  }
}

it(`keeps every balance explained and every invariant, over ${RUNS} random histories`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      clock.current = new Date('2026-06-01T12:00:00Z');
      const w = await setup();
      for (const o of ops) {
        const before = await balance(w.clientId);
        const delta = await run(w, o);
        if (delta !== null) expect(await balance(w.clientId), JSON.stringify(o)).toBe(before + delta);
      }
      await checkInvariants(w.teamId);
    }),
    { numRuns: RUNS, seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined },
  );
}, 600_000);
