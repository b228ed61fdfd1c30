import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase } from '../server/db/test-db.ts';
import { expirePackages } from '../server/ledger/packages.ts';
import { createTestApp, DAY, ERR, HOUR, studio, type TestApp } from './helpers.ts';

// Every rule runs on the embedded default and on a real PostgreSQL server.
const postgres = await createPostgresTestDatabase();
if (!postgres)
  console.warn('SKIPPED: ledger API tests on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
const backends = postgres ? ['PGlite', 'PostgreSQL'] : ['PGlite'];

describe.each(backends)('on %s', (backend) => {
  let t: TestApp;
  let s: Awaited<ReturnType<typeof studio>>;
  beforeAll(async () => {
    t = await createTestApp(backend === 'PostgreSQL' && postgres ? { db: postgres } : {});
  });
  afterAll(async () => {
    await t.close();
    if (backend === 'PostgreSQL') await postgres?.drop();
  });
  beforeEach(async () => {
    t.clock.current = new Date('2026-06-01T12:00:00Z');
    s = await studio(t);
  });

  /** Everything a refused operation must leave untouched. */
  async function snapshot() {
    const team = await t.db.prisma.team.findUniqueOrThrow({ where: { id: rawTeamId() } });
    return {
      sequence: team.lastSequence,
      entries: await t.db.prisma.ledgerEntry.count({ where: { teamId: team.id } }),
      sessions: await t.db.prisma.session.count({ where: { teamId: team.id } }),
      remaining: (await t.db.prisma.package.findMany({ where: { teamId: team.id }, orderBy: { id: 'asc' } })).map(
        (p) => p.remainingCredits,
      ),
    };
  }
  const rawTeamId = () => Buffer.from(s.teamId, 'base64').toString().split(':')[1];

  const BOOK = `mutation($input: BookSessionInput!) { bookSession(input: $input) {
  __typename ... on SessionPayload { balance session { id status cancelWindowHours cancellationOutcome } }
  ... on InsufficientCredits { balance required } ${ERR} } }`;
  const CANCEL = `mutation($id: ID!) { cancelSession(sessionId: $id) {
  __typename ... on SessionPayload { balance session { status creditUsed } } ... on SessionNotBooked { status } ${ERR} } }`;
  const UNDO = `mutation($id: ID!, $key: String) { undoSession(sessionId: $id, idempotencyKey: $key) {
  __typename ... on SessionPayload { balance session { undone } } ${ERR} } }`;

  describe('packages', () => {
    it('creates a package from explicit values with an ISSUED entry', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 5, priceCents: 25000, expiresOn: '2026-09-01' });
      const pkg = await s.call(
        `query($id: ID!) { node(id: $id) { ... on Package {
      name totalCredits remainingCredits priceCents expiresOn state barColor } } }`,
        { id: packageId },
      );
      expect(pkg).toEqual({
        name: '10-Session Pack',
        totalCredits: 5,
        remainingCredits: 5,
        priceCents: 25000,
        expiresOn: '2026-09-01',
        state: 'ACTIVE',
        barColor: 'GREEN',
      });
      const [issued] = await s.history(clientId);
      expect(issued).toMatchObject({
        event: 'ISSUED',
        amount: 5,
        balanceAfter: 5,
        actorName: 'Owner',
        package: { id: packageId },
      });
    });

    it('creates a package from a template in one click, expiring N days out', async () => {
      const template = await s.call(
        `mutation($st: ID!) { createPackageTemplate(input: { name: "Intro Special", credits: 3, priceCents: 9900, expiryDays: 30, sessionTypeId: $st }) {
        __typename ... on PackageTemplate { id } ${ERR} } }`,
        { st: s.sessionTypeId },
      );
      const clientId = await s.client();
      const pkg = await s.call(
        `mutation($c: ID!, $tpl: ID!) { createPackage(input: { clientId: $c, templateId: $tpl }) {
        ... on Package { name totalCredits priceCents expiresOn sessionType { name } template { id } } ${ERR} } }`,
        { c: clientId, tpl: template.id },
      );
      expect(pkg).toEqual({
        name: 'Intro Special',
        totalCredits: 3,
        priceCents: 9900,
        expiresOn: '2026-07-01',
        sessionType: { name: '1-on-1' },
        template: { id: template.id },
      });
    });

    it('refuses bad packages with typed errors and writes nothing', async () => {
      const clientId = await s.client();
      const direct = await s.client('Monthly Mo', 'MONTHLY');
      const before = await snapshot();
      const attempt = (input: Record<string, unknown>) =>
        s.call(
          `mutation($input: CreatePackageInput!) { createPackage(input: $input) { __typename ... on InvalidInput { field } ${ERR} } }`,
          {
            input: { clientId, name: 'P', credits: 5, ...input },
          },
        );
      expect(await attempt({ credits: 0 })).toMatchObject({ __typename: 'InvalidInput', field: 'credits' });
      expect(await attempt({ credits: -3 })).toMatchObject({ __typename: 'InvalidInput', field: 'credits' });
      expect(await attempt({ credits: 2_000_000 })).toMatchObject({ __typename: 'InvalidInput', field: 'credits' });
      expect(await attempt({ name: '   ' })).toMatchObject({ __typename: 'InvalidInput', field: 'name' });
      expect(await attempt({ priceCents: -1 })).toMatchObject({ __typename: 'InvalidInput', field: 'priceCents' });
      expect(await attempt({ expiresOn: '2026-01-01' })).toMatchObject({
        __typename: 'InvalidInput',
        field: 'expiresOn',
      });
      expect(await attempt({ clientId: direct })).toMatchObject({ __typename: 'InvalidInput', field: 'clientId' });
      expect(await attempt({ clientId: 'garbage' })).toMatchObject({ __typename: 'InvalidInput', field: 'clientId' });
      expect(await attempt({ note: 'x'.repeat(501) })).toMatchObject({ __typename: 'NoteTooLong' });
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('logging sessions', () => {
    it('COMPLETED, NO_SHOW and LATE_CANCELLED use one credit; CANCELLED uses none', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 10 });
      for (const status of ['COMPLETED', 'NO_SHOW', 'LATE_CANCELLED']) {
        const r = await s.log(clientId, { status });
        expect(r).toMatchObject({
          __typename: 'SessionPayload',
          session: { status, direct: false },
          package: { id: packageId },
        });
      }
      const cancelled = await s.log(clientId, { status: 'CANCELLED' });
      expect(cancelled).toMatchObject({ balance: 7, session: { status: 'CANCELLED', direct: true }, package: null });
      expect(await s.remaining(packageId)).toBe(7);
      const history = await s.history(clientId);
      expect(history.map((e) => [e.event, e.amount, e.balanceAfter])).toEqual([
        ['USED', -1, 7],
        ['USED', -1, 8],
        ['USED', -1, 9],
        ['ISSUED', 10, 10],
      ]);
      expect(history[0].session).not.toBeNull();
    });

    it('non-package clients get a direct session and no ledger movement', async () => {
      const clientId = await s.client('Per Session Pat', 'PER_SESSION');
      const r = await s.log(clientId, { sessionTypeId: s.sessionTypeId, notes: 'good session' });
      expect(r).toMatchObject({ __typename: 'SessionPayload', balance: 0, session: { direct: true }, package: null });
      expect(await s.history(clientId)).toEqual([]);
      const sessions = await s.call(
        `query($c: ID!) { sessions(clientId: $c, first: 5) { edges { node { status notes direct } } } }`,
        { c: clientId },
      );
      expect(sessions.edges).toEqual([{ node: { status: 'COMPLETED', notes: 'good session', direct: true } }]);
    });

    it('takes the package that expires first, then the oldest, and never an expired, empty or archived one', async () => {
      const clientId = await s.client();
      const noExpiry = await s.package(clientId, { name: 'Open', credits: 5 });
      t.clock.advance(HOUR);
      const late = await s.package(clientId, { name: 'Late', credits: 5, expiresOn: '2026-06-20' });
      const soon = await s.package(clientId, { name: 'Soon', credits: 1, expiresOn: '2026-06-15' });
      expect((await s.log(clientId)).package.id).toBe(soon);
      expect((await s.log(clientId)).package.id).toBe(late); // soon is exhausted now
      // An archived session type's package is skipped even though it expires first.
      const yoga = await s.call(
        `mutation { createSessionType(input: { name: "Yoga" }) { ... on SessionType { id } } }`,
      );
      const yogaPkg = await s.package(clientId, { credits: 5, sessionTypeId: yoga.id, expiresOn: '2026-06-10' });
      await s.call(`mutation($id: ID!) { archiveSessionType(id: $id) { __typename } }`, { id: yoga.id });
      expect((await s.log(clientId)).package.id).toBe(late);
      // After "late" expires, the open-ended package is next.
      t.clock.current = new Date('2026-06-20T00:00:00Z');
      const r = await s.log(clientId);
      expect(r.package?.id, JSON.stringify(r)).toBe(noExpiry);
      expect(await s.remaining(yogaPkg)).toBe(5);
    });

    it('refuses an expired, exhausted or foreign-type package, and a client without credits', async () => {
      const clientId = await s.client();
      const expiring = await s.package(clientId, { credits: 2, expiresOn: '2026-06-10' });
      const single = await s.package(clientId, { credits: 1 });
      await s.log(clientId, { packageId: single });
      const before = await snapshot();
      expect(await s.log(clientId, { packageId: single })).toMatchObject({ __typename: 'PackageExhausted' });
      t.clock.current = new Date('2026-06-10T00:00:00Z');
      expect(await s.log(clientId, { packageId: expiring })).toMatchObject({
        __typename: 'PackageExpired',
        code: 'PackageExpired',
      });
      const none = await s.log(clientId);
      expect(none).toMatchObject({ __typename: 'InsufficientCredits', balance: 0 });
      expect(none.message).toMatch(/0 usable credits/);
      expect(await s.log(clientId, { status: 'BOOKED' })).toMatchObject({ __typename: 'InvalidInput' });
      expect(await snapshot()).toEqual(before);
    });

    it('a package for one session type pays only for that type; an untyped package pays for any', async () => {
      const clientId = await s.client();
      const pilates = await s.package(clientId, { name: 'Pilates only', credits: 6, sessionTypeId: s.sessionTypeId });
      const before = await snapshot();
      // A session of no type never takes the typed package, chosen or named, and nothing is written.
      expect(await s.log(clientId)).toMatchObject({ __typename: 'InsufficientCredits', balance: 0 });
      const named = await s.log(clientId, { packageId: pilates });
      expect(named).toMatchObject({ __typename: 'InvalidInput' });
      expect(named.message).toMatch(/for one session type only/);
      expect(await snapshot()).toEqual(before);
      // The typed session takes it, and the history keeps each session's own type.
      expect((await s.log(clientId, { sessionTypeId: s.sessionTypeId })).package.id).toBe(pilates);
      const open = await s.package(clientId, { name: 'Open', credits: 1 });
      const untyped = await s.log(clientId);
      expect(untyped.package.id).toBe(open);
      const used = (await s.history(clientId)).filter((e) => e.event === 'USED');
      expect(used).toEqual([
        expect.objectContaining({ session: { id: untyped.session.id }, sessionType: null, package: { id: open } }),
        expect.objectContaining({ sessionType: { id: s.sessionTypeId }, package: { id: pilates } }),
      ]);
    });
  });

  describe('booking and cancelling', () => {
    it('booking takes a credit at once and shows the balance after', async () => {
      const clientId = await s.client();
      await s.package(clientId, { credits: 2 });
      const startsAt = new Date(t.clock.current.getTime() + 3 * DAY).toISOString();
      const r = await s.call(BOOK, { input: { clientId, sessionTypeId: s.sessionTypeId, startsAt } });
      expect(r).toMatchObject({
        __typename: 'SessionPayload',
        balance: 1,
        session: { status: 'BOOKED', cancelWindowHours: 24, cancellationOutcome: 'RETURN' },
      });
      const history = await s.history(clientId);
      expect(history[0]).toMatchObject({ event: 'USED', amount: -1, session: { id: r.session.id } });
    });

    it('refuses a booking without credits, saying the balance, and writes nothing', async () => {
      const clientId = await s.client();
      const before = await snapshot();
      const startsAt = new Date(t.clock.current.getTime() + DAY).toISOString();
      const r = await s.call(BOOK, { input: { clientId, sessionTypeId: s.sessionTypeId, startsAt } });
      expect(r).toMatchObject({ __typename: 'InsufficientCredits', balance: 0, required: 1 });
      const past = await s.call(BOOK, {
        input: { clientId, sessionTypeId: s.sessionTypeId, startsAt: '2026-05-01T10:00:00Z' },
      });
      expect(past).toMatchObject({ __typename: 'InvalidInput' });
      expect(await snapshot()).toEqual(before);
    });

    it('an early cancel returns the credit; a late cancel voids it (no amount, balance unchanged)', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 5 });
      const book = async (inHours: number) =>
        (
          await s.call(BOOK, {
            input: {
              clientId,
              sessionTypeId: s.sessionTypeId,
              startsAt: new Date(t.clock.current.getTime() + inHours * HOUR).toISOString(),
            },
          })
        ).session.id;
      const early = await book(48);
      const late = await book(10);
      expect(await s.remaining(packageId)).toBe(3);
      const earlyResult = await s.call(CANCEL, { id: early });
      expect(earlyResult).toMatchObject({ balance: 4, session: { status: 'CANCELLED', creditUsed: false } });
      const lateResult = await s.call(CANCEL, { id: late });
      expect(lateResult).toMatchObject({ balance: 4, session: { status: 'LATE_CANCELLED', creditUsed: true } });
      const [voided, returned] = await s.history(clientId);
      expect(voided).toMatchObject({ event: 'VOIDED', amount: null, balanceAfter: 4 });
      expect(returned).toMatchObject({ event: 'RETURNED', amount: 1, balanceAfter: 4 });
      expect(await s.call(CANCEL, { id: early })).toMatchObject({
        __typename: 'SessionNotBooked',
        status: 'CANCELLED',
      });
    });

    it('the window in force at booking time decides, even if the team changes it later', async () => {
      const clientId = await s.client();
      await s.package(clientId, { credits: 5 });
      const startsAt = new Date(t.clock.current.getTime() + 30 * HOUR).toISOString();
      const { session } = await s.call(BOOK, { input: { clientId, sessionTypeId: s.sessionTypeId, startsAt } });
      await s.call(`mutation { updateTeamSettings(input: { cancelWindowHours: 48 }) { __typename } }`);
      const preview = await s.call(
        `query($id: ID!) { node(id: $id) { ... on Session { cancellationOutcome cancelWindowHours } } }`,
        { id: session.id },
      );
      expect(preview).toEqual({ cancellationOutcome: 'RETURN', cancelWindowHours: 24 });
      t.clock.advance(7 * HOUR); // 23 h before: inside the 24 h stored at booking
      const after = await s.call(`query($id: ID!) { node(id: $id) { ... on Session { cancellationOutcome } } }`, {
        id: session.id,
      });
      expect(after.cancellationOutcome).toBe('VOID');
      expect((await s.call(CANCEL, { id: session.id })).session.status).toBe('LATE_CANCELLED');
    });

    it('a booked session becomes COMPLETED or NO_SHOW without moving credits again', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 5 });
      const { session } = await s.call(BOOK, {
        input: {
          clientId,
          sessionTypeId: s.sessionTypeId,
          startsAt: new Date(t.clock.current.getTime() + HOUR).toISOString(),
        },
      });
      const SET = `mutation($id: ID!, $status: SessionStatus!) { setSessionStatus(sessionId: $id, status: $status) { __typename ... on SessionPayload { session { status } } ${ERR} } }`;
      expect(await s.call(SET, { id: session.id, status: 'CANCELLED' })).toMatchObject({ __typename: 'InvalidInput' });
      expect((await s.call(SET, { id: session.id, status: 'COMPLETED' })).session.status).toBe('COMPLETED');
      expect((await s.call(SET, { id: session.id, status: 'NO_SHOW' })).session.status).toBe('NO_SHOW');
      expect(await s.remaining(packageId)).toBe(4);
    });
  });

  describe('undo', () => {
    it('removes the session from the history and restores its credit with a REVERSED entry', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 3 });
      const { session } = await s.log(clientId);
      const undone = await s.call(UNDO, { id: session.id });
      expect(undone).toMatchObject({ __typename: 'SessionPayload', balance: 3, session: { undone: true } });
      expect(await s.remaining(packageId)).toBe(3);
      const history = await s.history(clientId);
      expect(history.map((e) => [e.event, e.amount, e.balanceAfter])).toEqual([
        ['REVERSED', 1, 3],
        ['USED', -1, 2],
        ['ISSUED', 3, 3],
      ]);
      const sessions = await s.call(`query($c: ID!) { sessions(clientId: $c, first: 5) { edges { node { id } } } }`, {
        c: clientId,
      });
      expect(sessions.edges).toEqual([]);
      expect(await s.call(UNDO, { id: session.id })).toMatchObject({ __typename: 'AlreadyUndone' });
      expect(await s.remaining(packageId)).toBe(3);
    });

    it('works on direct sessions, late-cancelled bookings and early-cancelled ones alike', async () => {
      const direct = await s.client('Direct', 'NONE');
      const { session: d } = await s.log(direct);
      expect(await s.call(UNDO, { id: d.id })).toMatchObject({ session: { undone: true } });

      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 2 });
      const startsAt = new Date(t.clock.current.getTime() + 2 * HOUR).toISOString();
      const late = (await s.call(BOOK, { input: { clientId, sessionTypeId: s.sessionTypeId, startsAt } })).session.id;
      await s.call(CANCEL, { id: late });
      expect(await s.remaining(packageId)).toBe(1);
      await s.call(UNDO, { id: late }); // the forfeited credit comes back
      expect(await s.remaining(packageId)).toBe(2);
      const early = (
        await s.call(BOOK, {
          input: {
            clientId,
            sessionTypeId: s.sessionTypeId,
            startsAt: new Date(t.clock.current.getTime() + 5 * DAY).toISOString(),
          },
        })
      ).session.id;
      await s.call(CANCEL, { id: early });
      await s.call(UNDO, { id: early }); // already returned: nothing more to give back
      expect(await s.remaining(packageId)).toBe(2);
    });
  });

  describe('bulk logging', () => {
    it('logs each client on their own package, reports per client, and a retry changes nothing', async () => {
      const withCredits = await s.client('Has Credits');
      const pkg = await s.package(withCredits, { credits: 3 });
      const broke = await s.client('No Credits');
      const monthly = await s.client('Monthly', 'MONTHLY');
      const BULK = `mutation($input: BulkLogSessionsInput!) { bulkLogSessions(input: $input) {
      __typename ... on BulkLogPayload { succeeded failed results { clientId ok client { name } result { balance session { direct } } error { __typename code } } } ${ERR} } }`;
      const input = {
        clientIds: [withCredits, broke, monthly],
        status: 'COMPLETED',
        sessionTypeId: s.sessionTypeId,
        notes: 'Group class',
        idempotencyKey: 'bulk-1',
      };
      const first = await s.call(BULK, { input });
      expect(first.succeeded).toBe(2);
      expect(first.failed).toBe(1);
      expect(first.results).toEqual([
        {
          clientId: withCredits,
          ok: true,
          client: { name: 'Has Credits' },
          result: { balance: 2, session: { direct: false } },
          error: null,
        },
        {
          clientId: broke,
          ok: false,
          client: { name: 'No Credits' },
          result: null,
          error: { __typename: 'InsufficientCredits', code: 'InsufficientCredits' },
        },
        {
          clientId: monthly,
          ok: true,
          client: { name: 'Monthly' },
          result: { balance: 0, session: { direct: true } },
          error: null,
        },
      ]);
      const before = await snapshot();
      const retry = await s.call(BULK, { input });
      expect(retry.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, false, true]);
      expect(await snapshot()).toEqual(before);
      expect(await s.remaining(pkg)).toBe(2);
    });
  });

  describe('issuing and removing credits', () => {
    const ISSUE = `mutation($input: IssueCreditsInput!) { issueCredits(input: $input) { __typename ... on Package { name remainingCredits sessionType { name } } ${ERR} } }`;
    const REMOVE = `mutation($input: RemoveCreditsInput!) { removeCredits(input: $input) {
    __typename ... on RemoveCreditsPayload { balance entries { event amount note } } ... on InsufficientCredits { balance } ${ERR} } }`;

    it('issues and removes credits per session type with notes and running balances', async () => {
      const clientId = await s.client();
      const issued = await s.call(ISSUE, {
        input: { clientId, sessionTypeId: s.sessionTypeId, credits: 4, note: 'Promo' },
      });
      expect(issued).toEqual({
        __typename: 'Package',
        name: '1-on-1 credits',
        remainingCredits: 4,
        sessionType: { name: '1-on-1' },
      });
      const removed = await s.call(REMOVE, {
        input: { clientId, sessionTypeId: s.sessionTypeId, credits: 3, note: 'Refunded' },
      });
      expect(removed).toMatchObject({ balance: 1, entries: [{ event: 'DELETED', amount: -3, note: 'Refunded' }] });
      const tooMany = await s.call(REMOVE, { input: { clientId, sessionTypeId: s.sessionTypeId, credits: 2 } });
      expect(tooMany).toMatchObject({ __typename: 'InsufficientCredits', balance: 1 });
      const balances = await s.call(
        `query($id: ID!) { client(id: $id) { totalRemainingCredits creditBalances { sessionTypeName remainingCredits archived } } }`,
        { id: clientId },
      );
      expect(balances).toEqual({
        totalRemainingCredits: 1,
        creditBalances: [{ sessionTypeName: '1-on-1', remainingCredits: 1, archived: false }],
      });
    });

    it('an archived type keeps its credits visible; they can be removed but not issued or used', async () => {
      const clientId = await s.client();
      await s.call(ISSUE, { input: { clientId, sessionTypeId: s.sessionTypeId, credits: 2 } });
      const archived = await s.call(
        `mutation($id: ID!) { archiveSessionType(id: $id) { ... on ArchiveSessionTypePayload { outstandingCredits warning sessionType { archived } } } }`,
        { id: s.sessionTypeId },
      );
      expect(archived).toMatchObject({ outstandingCredits: 2, sessionType: { archived: true } });
      expect(archived.warning).toMatch(/2 unused credits/);
      expect(await s.call(ISSUE, { input: { clientId, sessionTypeId: s.sessionTypeId, credits: 1 } })).toMatchObject({
        __typename: 'SessionTypeArchived',
      });
      expect(await s.log(clientId, { sessionTypeId: s.sessionTypeId })).toMatchObject({
        __typename: 'SessionTypeArchived',
      });
      expect(await s.log(clientId)).toMatchObject({ __typename: 'InsufficientCredits' });
      const balances = await s.call(
        `query($id: ID!) { client(id: $id) { creditBalances { archived remainingCredits } } }`,
        { id: clientId },
      );
      expect(balances.creditBalances).toEqual([{ archived: true, remainingCredits: 2 }]);
      expect(await s.call(REMOVE, { input: { clientId, sessionTypeId: s.sessionTypeId, credits: 2 } })).toMatchObject({
        balance: 0,
      });
    });
  });

  describe('session types and notes', () => {
    it('"requires credits" locks once a session of the type exists', async () => {
      const UPDATE = `mutation($id: ID!, $rc: Boolean) { updateSessionType(id: $id, input: { requiresCredits: $rc }) { __typename ... on SessionType { requiresCredits locked } ${ERR} } }`;
      expect(await s.call(UPDATE, { id: s.sessionTypeId, rc: false })).toMatchObject({
        requiresCredits: false,
        locked: false,
      });
      await s.call(UPDATE, { id: s.sessionTypeId, rc: true });
      const clientId = await s.client();
      await s.package(clientId);
      await s.log(clientId, { sessionTypeId: s.sessionTypeId });
      expect(await s.call(UPDATE, { id: s.sessionTypeId, rc: false })).toMatchObject({
        __typename: 'SessionTypeLocked',
      });
    });

    it('session-type names are unique per team, ignoring case, on create and rename', async () => {
      const CREATE = `mutation($name: String!) { createSessionType(input: { name: $name }) {
        __typename ... on SessionType { id name } ... on SessionTypeNameTaken { sessionTypeName } ${ERR} } }`;
      const RENAME = `mutation($id: ID!, $name: String!) { updateSessionType(id: $id, input: { name: $name }) {
        __typename ... on SessionType { name } ... on SessionTypeNameTaken { sessionTypeName } ${ERR} } }`;
      const yoga = await s.call(CREATE, { name: 'Yoga' });
      const taken = await s.call(CREATE, { name: ' 1-ON-1 ' });
      expect(taken).toMatchObject({ __typename: 'SessionTypeNameTaken', sessionTypeName: '1-ON-1' });
      expect(taken.message).toMatch(/already has a session type named "1-ON-1"/);
      // Archived types keep their name, so restoring one never clashes.
      await s.call(`mutation($id: ID!) { archiveSessionType(id: $id) { __typename } }`, { id: yoga.id });
      expect(await s.call(CREATE, { name: 'yoga' })).toMatchObject({ __typename: 'SessionTypeNameTaken' });
      expect(await s.call(RENAME, { id: s.sessionTypeId, name: 'YOGA' })).toMatchObject({
        __typename: 'SessionTypeNameTaken',
      });
      // Renaming a type to another case of its own name is fine; another team may use any name.
      expect(await s.call(RENAME, { id: s.sessionTypeId, name: '1-On-1' })).toEqual({
        __typename: 'SessionType',
        name: '1-On-1',
      });
      const other = await studio(t);
      expect(await other.call(CREATE, { name: 'Yoga' })).toMatchObject({ __typename: 'SessionType' });
      // Two managers creating the same name at once: exactly one gets it.
      const both = await Promise.all([s.call(CREATE, { name: 'Pilates' }), s.call(CREATE, { name: 'PILATES' })]);
      expect(both.map((r) => r.__typename).sort()).toEqual(['SessionType', 'SessionTypeNameTaken']);
      // Names are compared as text, never as patterns: "%" and "P_lates" clash with nothing else.
      for (const name of ['%', 'P_lates', '%_\\']) {
        expect(await s.call(CREATE, { name })).toMatchObject({ __typename: 'SessionType', name });
      }
      expect(await s.call(CREATE, { name: 'p_LATES' })).toMatchObject({ __typename: 'SessionTypeNameTaken' });
    });

    it('notes are capped at 500 characters, editable, and clearable', async () => {
      const clientId = await s.client();
      await s.package(clientId, { note: 'é'.repeat(500) });
      const [entry] = await t.db.prisma.ledgerEntry.findMany({
        where: { client: { name: 'Jane Doe' }, teamId: rawTeamId() },
      });
      const { encodeGlobalID } = await import('@pothos/plugin-relay');
      const id = encodeGlobalID('LedgerEntry', entry.id);
      const NOTE = `mutation($id: ID!, $note: String) { updateLedgerNote(entryId: $id, note: $note) { __typename ... on LedgerEntry { note } ... on NoteTooLong { length maxLength } ${ERR} } }`;
      expect(await s.call(NOTE, { id, note: 'x'.repeat(501) })).toMatchObject({
        __typename: 'NoteTooLong',
        length: 501,
        maxLength: 500,
      });
      expect(await s.call(NOTE, { id, note: 'Paid cash' })).toEqual({ __typename: 'LedgerEntry', note: 'Paid cash' });
      expect(await s.call(NOTE, { id, note: '' })).toEqual({ __typename: 'LedgerEntry', note: null });
    });

    it('session notes on log, book and bulk log: up to 2,000 characters, beyond that NoteTooLong and nothing written', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 5 });
      const long = '😀'.repeat(2_001); // counted in characters, as the web app counts them
      const tooLong = { __typename: 'NoteTooLong', code: 'NoteTooLong', length: 2_001, maxLength: 2_000 };
      const TOO_LONG = '... on NoteTooLong { length maxLength }';
      const log = (notes: string) =>
        s.call(`mutation($input: LogSessionInput!) { logSession(input: $input) { __typename ${TOO_LONG} ${ERR} } }`, {
          input: { clientId, status: 'COMPLETED', notes },
        });
      expect(await log(long)).toMatchObject(tooLong);
      const startsAt = new Date(t.clock.current.getTime() + 3 * DAY).toISOString();
      expect(
        await s.call(
          `mutation($input: BookSessionInput!) { bookSession(input: $input) { __typename ${TOO_LONG} ${ERR} } }`,
          { input: { clientId, sessionTypeId: s.sessionTypeId, startsAt, notes: long } },
        ),
      ).toMatchObject(tooLong);
      const bulk = await s.call(
        `mutation($input: BulkLogSessionsInput!) { bulkLogSessions(input: $input) { ... on BulkLogPayload { results { ok error { __typename code ${TOO_LONG} } } } } }`,
        { input: { clientIds: [clientId], status: 'COMPLETED', notes: long } },
      );
      expect(bulk.results).toMatchObject([{ ok: false, error: tooLong }]);
      expect(await s.remaining(packageId)).toBe(5);

      expect(await log('😀'.repeat(2_000))).toEqual({ __typename: 'SessionPayload' });
      expect(await s.remaining(packageId)).toBe(4);
    });
  });

  describe('balance history', () => {
    it('filters by session type and by event, newest first, with the running balance', async () => {
      const clientId = await s.client();
      const hiit = await s.call(
        `mutation { createSessionType(input: { name: "HIIT" }) { ... on SessionType { id } } }`,
      );
      await s.package(clientId, { credits: 5, sessionTypeId: s.sessionTypeId });
      await s.package(clientId, { credits: 5, sessionTypeId: hiit.id });
      await s.log(clientId, { sessionTypeId: s.sessionTypeId });
      await s.log(clientId, { sessionTypeId: hiit.id });
      const byType = await s.history(clientId, `, sessionTypeId: "${hiit.id}"`);
      expect(byType.map((e) => [e.event, e.balanceAfter])).toEqual([
        ['USED', 8],
        ['ISSUED', 10],
      ]);
      const used = await s.history(clientId, ', events: [USED]');
      expect(used.map((e) => e.sessionType.id)).toEqual([hiit.id, s.sessionTypeId]);
      const all = await s.history(clientId);
      expect(all.map((e) => e.sequence)).toEqual([...all.map((e) => e.sequence)].sort((a, b) => b - a));
    });
  });

  describe('expiry', () => {
    it('an expired package gets an EXPIRED entry, keeps its unused credits visible and refuses sessions', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 4, expiresOn: '2026-06-15' });
      await s.log(clientId);
      t.clock.current = new Date('2026-06-15T00:00:00Z');
      expect(await expirePackages(t.app.ledger, rawTeamId())).toBe(1);
      expect(await expirePackages(t.app.ledger, rawTeamId())).toBe(0); // once only
      const pkg = await s.call(
        `query($id: ID!) { node(id: $id) { ... on Package { state remainingCredits expiredCredits } } }`,
        { id: packageId },
      );
      expect(pkg).toEqual({ state: 'EXPIRED', remainingCredits: 0, expiredCredits: 3 });
      expect((await s.history(clientId))[0]).toMatchObject({
        event: 'EXPIRED',
        amount: -3,
        balanceAfter: 0,
        actorName: 'Punchcard',
      });
      expect(await s.log(clientId, { packageId })).toMatchObject({ __typename: 'PackageExpired' });
    });
  });

  describe('clients and dashboard', () => {
    it('lists clients with search, billing type and low-credit filters and total remaining credits', async () => {
      const amber = await s.client('Amber Low');
      await s.package(amber, { credits: 2 });
      const green = await s.client('Greg Green');
      await s.package(green, { credits: 5 });
      await s.package(green, { credits: 5, expiresOn: '2026-06-05' });
      await s.client('Mona Monthly', 'MONTHLY');
      const LIST = `query($search: String, $bt: BillingType, $low: Boolean) { clients(first: 10, search: $search, billingType: $bt, lowCredits: $low) {
      edges { node { name totalRemainingCredits lowCredits packages { barColor } } } } }`;
      const names = async (v: Record<string, unknown>) =>
        (await s.call(LIST, v)).edges.map((e: { node: { name: string } }) => e.node.name);
      expect(await names({})).toEqual(['Amber Low', 'Greg Green', 'Mona Monthly']);
      expect(await names({ search: 'gReG' })).toEqual(['Greg Green']);
      expect(await names({ bt: 'MONTHLY' })).toEqual(['Mona Monthly']);
      expect(await names({ low: true })).toEqual(['Amber Low']);
      const all = (await s.call(LIST, {})).edges.map((e: { node: unknown }) => e.node);
      expect(all[0]).toMatchObject({ totalRemainingCredits: 2, lowCredits: true, packages: [{ barColor: 'AMBER' }] });
      expect(all[1]).toMatchObject({ totalRemainingCredits: 10, lowCredits: false });
      t.clock.current = new Date('2026-06-05T00:00:00Z'); // one of Greg's packages lapses
      expect((await s.call(LIST, { search: 'Greg' })).edges[0].node.totalRemainingCredits).toBe(5);
    });

    it('a package client who never had a package is "No package", not running low', async () => {
      const nina = await s.client('Nina New');
      const used = await s.client('Uma Used');
      await s.package(used, { credits: 1 });
      await s.log(used);
      const lapsed = await s.client('Lou Lapsed');
      await s.package(lapsed, { credits: 5, expiresOn: '2026-06-03' });
      t.clock.current = new Date('2026-06-03T00:00:00Z');
      await s.client('Mona Monthly', 'MONTHLY');
      const LIST = `query($low: Boolean, $none: Boolean) { clients(first: 10, lowCredits: $low, noPackage: $none) {
      edges { node { id name lowCredits noPackage } } } }`;
      const nodes = async (v: Record<string, unknown>) =>
        (await s.call(LIST, v)).edges.map((e: { node: unknown }) => e.node);
      expect(await nodes({})).toEqual([
        expect.objectContaining({ name: 'Lou Lapsed', lowCredits: true, noPackage: false }),
        expect.objectContaining({ name: 'Mona Monthly', lowCredits: false, noPackage: false }),
        expect.objectContaining({ name: 'Nina New', lowCredits: false, noPackage: true }),
        expect.objectContaining({ name: 'Uma Used', lowCredits: true, noPackage: false }),
      ]);
      expect((await nodes({ low: true })).map((c: { name: string }) => c.name)).toEqual(['Lou Lapsed', 'Uma Used']);
      expect((await nodes({ none: true })).map((c: { id: string }) => c.id)).toEqual([nina]);
      const d = await s.call(
        `{ dashboard(from: "2026-06-01T00:00:00Z", to: "2026-06-04T00:00:00Z") { lowCreditClients { name } } }`,
      );
      expect(d.lowCreditClients).toEqual([{ name: 'Lou Lapsed' }, { name: 'Uma Used' }]);
      // Once Nina gets a package she is an ordinary package client.
      await s.package(nina, { credits: 5 });
      expect(await nodes({ none: true })).toEqual([]);
    });

    it('updates, archives and restores clients; billing type decides credit use', async () => {
      const clientId = await s.client('Pat');
      const UPDATE = `mutation($id: ID!, $input: ClientInput!) { updateClient(id: $id, input: $input) { __typename ... on Client { name email billingType } ... on InvalidInput { field } ${ERR} } }`;
      expect(
        await s.call(UPDATE, {
          id: clientId,
          input: { name: 'Pat Lee', email: 'PAT@example.com', billingType: 'PER_SESSION' },
        }),
      ).toEqual({
        __typename: 'Client',
        name: 'Pat Lee',
        email: 'pat@example.com',
        billingType: 'PER_SESSION',
      });
      expect(await s.call(UPDATE, { id: clientId, input: { email: 'nope' } })).toMatchObject({
        __typename: 'InvalidInput',
        field: 'email',
      });
      expect((await s.log(clientId)).session.direct).toBe(true);
      const ARCHIVE = `mutation($id: ID!, $archived: Boolean) { archiveClient(id: $id, archived: $archived) { ... on Client { archived } } }`;
      expect(await s.call(ARCHIVE, { id: clientId })).toEqual({ archived: true });
      const listed = async () => (await s.call(`{ clients(first: 10) { edges { node { id } } } }`)).edges.length;
      expect(await listed()).toBe(0);
      expect(await s.log(clientId)).toMatchObject({ __typename: 'InvalidInput', message: 'The client is archived.' });
      await s.call(ARCHIVE, { id: clientId, archived: false });
      expect(await listed()).toBe(1);
    });

    it('edits and deletes templates; packages made from them keep their values', async () => {
      const tpl = await s.call(
        `mutation { createPackageTemplate(input: { name: "Pack", credits: 10 }) { ... on PackageTemplate { id } } }`,
      );
      const edited = await s.call(
        `mutation($id: ID!) { updatePackageTemplate(id: $id, input: { credits: 12, expiryDays: 60 }) { ... on PackageTemplate { name credits expiryDays } } }`,
        { id: tpl.id },
      );
      expect(edited).toEqual({ name: 'Pack', credits: 12, expiryDays: 60 });
      const clientId = await s.client();
      const packageId = await s.package(clientId, { templateId: tpl.id, name: null, credits: null });
      const bad = await s.call(
        `mutation($id: ID!) { updatePackageTemplate(id: $id, input: { credits: 0 }) { __typename ${ERR} } }`,
        { id: tpl.id },
      );
      expect(bad.__typename).toBe('InvalidInput');
      const deleted = await s.call(
        `mutation($id: ID!) { deletePackageTemplate(id: $id) { ... on DeletedPayload { deletedId } } }`,
        { id: tpl.id },
      );
      expect(deleted.deletedId).toBe(tpl.id);
      expect(await s.call('{ packageTemplates { id } }')).toEqual([]);
      const pkg = await s.call(
        `query($id: ID!) { node(id: $id) { ... on Package { name totalCredits expiresOn template { id } } } }`,
        { id: packageId },
      );
      expect(pkg).toEqual({ name: 'Pack', totalCredits: 12, expiresOn: '2026-07-31', template: null });
    });

    it('summarises a date range', async () => {
      const clientId = await s.client();
      await s.package(clientId, { credits: 10, priceCents: 50000 });
      await s.package(clientId, { credits: 1, priceCents: 1000, expiresOn: '2026-06-05' });
      await s.log(clientId, { startsAt: '2026-06-01T09:00:00Z' });
      await s.log(clientId, { startsAt: '2026-06-01T10:00:00Z', status: 'NO_SHOW' });
      const { session } = await s.log(clientId, { startsAt: '2026-05-30T10:00:00Z' });
      await s.call(UNDO, { id: session.id });
      await s.client('Idle');
      const d = await s.call(`{ dashboard(from: "2026-05-28T00:00:00Z", to: "2026-06-03T00:00:00Z") {
      sessionsByStatus { status count } activeClients creditsIssued creditsUsed creditsOutstanding revenueCents
      expiringPackages { name } lowCreditClients { name } trend { periodStart total completed noShow } } }`);
      expect(d.sessionsByStatus.filter((x: { count: number }) => x.count > 0)).toEqual([
        { status: 'COMPLETED', count: 1 },
        { status: 'NO_SHOW', count: 1 },
      ]);
      expect(d).toMatchObject({
        activeClients: 1,
        creditsIssued: 11,
        creditsUsed: 2,
        creditsOutstanding: 9,
        revenueCents: 51000,
      });
      expect(d.expiringPackages).toHaveLength(0); // the soon-expiring package was used first (FEFO)
      // Idle never had a package: "No package", not running low.
      expect(d.lowCreditClients).toEqual([]);
      expect(d.trend).toHaveLength(6);
      expect(d.trend.find((p: { periodStart: string }) => p.periodStart.startsWith('2026-06-01'))).toMatchObject({
        total: 2,
        completed: 1,
        noShow: 1,
      });
    });
  });

  describe('idempotency keys', () => {
    it('a retry returns the first result and changes nothing; other input with the key is refused', async () => {
      const clientId = await s.client();
      const packageId = await s.package(clientId, { credits: 5 });
      const first = await s.log(clientId, { idempotencyKey: 'abc' });
      const before = await snapshot();
      const retry = await s.log(clientId, { idempotencyKey: 'abc' });
      expect(retry).toEqual(first);
      expect(await snapshot()).toEqual(before);
      const other = await s.log(clientId, { idempotencyKey: 'abc', status: 'NO_SHOW' });
      expect(other).toMatchObject({ __typename: 'IdempotencyKeyReused', code: 'IdempotencyKeyReused' });
      expect(await s.remaining(packageId)).toBe(4);
    });
  });
});
