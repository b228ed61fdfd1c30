import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';
import { type Database, openDatabase } from '../server/db/index.ts';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../server/db/test-db.ts';
import { createJobRunner, type JobReport, type JobRunner } from '../server/jobs/runner.ts';
import { enqueueMail } from '../server/mail/outbox.ts';
import { inboxTransport, smtpTransport } from '../server/mail/transport.ts';
import { silentLogger } from '../server/observability/log.ts';
import { createTestApp, DAY, ERR, studio, type TestApp } from './helpers.ts';
import { capturedLogger } from './support/log.ts';

// Background jobs and mail: time comes from the TestClock (never waited for), mail goes to a
// real SMTP server on loopback (smtp-server), and the database is the embedded PGlite, plus a
// real PostgreSQL server for the race between instances when one is reachable.

const MAIL_FROM = 'Punchcard Alerts <alerts@studio.test>';
const MIN = 60_000;

interface ReceivedMail {
  envelopeTo: string[];
  from: string;
  subject: string;
  text: string;
  messageId: string;
  dedupeKey: string;
}

/** An SMTP server on a free loopback port that keeps what it receives (or refuses it on demand). */
async function startSmtp() {
  const received: ReceivedMail[] = [];
  const state: {
    refuse: ((mail: ReceivedMail) => { code: number; message: string } | null) | null;
    refuseRecipient: ((address: string) => boolean) | null;
  } = { refuse: null, refuseRecipient: null };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.refuseRecipient?.(address.address)) {
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parseMail(
          Buffer.concat(chunks),
          session.envelope.rcptTo.map((a) => a.address),
        );
        const refusal = state.refuse?.(mail);
        if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        received.push(mail);
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough MIME for what nodemailer writes: headers, encoded-word subjects, QP/base64 bodies. */
function parseMail(raw: Buffer, envelopeTo: string[]): ReceivedMail {
  const source = raw.toString('latin1');
  const split = source.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of source
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = source.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? qpDecode(body.replace(/=\r\n/g, ''))
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : Buffer.from(body, 'latin1').toString('utf8');
  return {
    envelopeTo: envelopeTo.sort(),
    from: headers.get('from') ?? '',
    subject: decodeWords(headers.get('subject') ?? ''),
    text: text.replace(/\r\n/g, '\n').trimEnd(),
    messageId: headers.get('message-id') ?? '',
    dedupeKey: headers.get('x-punchcard-dedupe-key') ?? '',
  };
}

function qpDecode(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(s.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qpDecode(data.replace(/_/g, ' ')),
    );
}

/** A second runner on the same database, like another server instance would have. */
function peerRunner(t: TestApp, smtpUrl: string, prisma = t.db.prisma): JobRunner {
  return createJobRunner({
    ledger: { prisma, now: t.clock.now },
    transport: smtpTransport(smtpUrl, MAIL_FROM),
    intervalMs: MIN,
    log: silentLogger,
  });
}

async function teamMember(t: TestApp, owner: Awaited<ReturnType<typeof studio>>, role: string, name: string) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}-${Math.random().toString(36).slice(2)}@example.com`;
  const invite = await owner.call(
    `mutation($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { ... on InvitationPayload { token } ${ERR} } }`,
    { email, role },
  );
  const { acceptInvitation } = await t.ok(
    `mutation($token: String!, $name: String!) { acceptInvitation(token: $token, name: $name, password: "correct horse") {
      ... on LoginPayload { token member { id } } ${ERR} } }`,
    { token: invite.token, name },
  );
  return { email, token: acceptInvitation.token as string, memberId: acceptInvitation.member.id as string };
}

async function ownerEmail(t: TestApp, token: string): Promise<string> {
  const { me } = await t.ok('{ me { member { email } } }', {}, token);
  return me.member.email;
}

const raw = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1];

const CREATE_PACKAGE = `mutation($input: CreatePackageInput!) { createPackage(input: $input) { __typename ... on Package { id } ${ERR} } }`;

let smtp: Awaited<ReturnType<typeof startSmtp>>;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(() => smtp.close());

describe('with SMTP (a real SMTP server on loopback)', () => {
  let t: TestApp;
  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.state.refuse = null;
    smtp.state.refuseRecipient = null;
    t = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_FROM, JOBS: 'off' } });
  });
  afterEach(() => t.close());

  it('alerts 7 days before expiry, once, to owners, admins and the creator, with client, package, credits left and date', async () => {
    const s = await studio(t);
    const owner = await ownerEmail(t, s.token);
    const admin = await teamMember(t, s, 'ADMIN', 'Ada Admin');
    const trainer = await teamMember(t, s, 'TRAINER', 'Tom Trainer');
    const otherTrainer = await teamMember(t, s, 'TRAINER', 'Olga Other');
    const leaver = await teamMember(t, s, 'ADMIN', 'Lee Leaver');
    await s.call(`mutation($id: ID!) { removeMember(memberId: $id) { __typename ${ERR} } }`, { id: leaver.memberId });

    const clientId = await s.client('Jane Doe');
    // The trainer sells the pack: they are told too. 4 credits, one used → 3 left.
    const pack = await s.call(
      CREATE_PACKAGE,
      { input: { clientId, name: '10-Session Pack', credits: 4, expiresOn: '2026-06-15' } },
      trainer.token,
    );
    await s.log(clientId, { packageId: pack.id });
    // Not alerted: exhausted (no credits left to lose), and expiring outside the window.
    const empty = await s.package(clientId, { name: 'Trial', credits: 1, expiresOn: '2026-06-12' });
    await s.log(clientId, { packageId: empty });
    await s.package(clientId, { name: 'Later Pack', credits: 5, expiresOn: '2026-06-30' });

    expect((await t.app.jobs.runOnce()).expiryAlerts).toBe(0); // 2026-06-01: 14 days out
    t.clock.current = new Date('2026-06-07T23:59:59Z');
    expect((await t.app.jobs.runOnce()).expiryAlerts).toBe(0);
    expect(smtp.received).toEqual([]);

    t.clock.current = new Date('2026-06-08T00:00:00Z'); // 7 days before the 15th
    const report = await t.app.jobs.runOnce();
    expect(report).toMatchObject({ expiryAlerts: 1, mail: { sent: 1, failed: 0, retrying: 0 }, errors: [] });
    for (let day = 0; day < 6; day++) {
      t.clock.advance(DAY);
      expect((await t.app.jobs.runOnce()).mail.sent).toBe(0); // once, ever
    }

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.envelopeTo).toEqual([owner, admin.email, trainer.email].sort());
    expect(mail.envelopeTo).not.toContain(otherTrainer.email);
    expect(mail.envelopeTo).not.toContain(leaver.email);
    expect(mail.from).toBe('Punchcard Alerts <alerts@studio.test>');
    expect(mail.subject).toBe(`Jane Doe's package "10-Session Pack" expires on 2026-06-15 with 3 credits left`);
    expect(mail.text).toContain(`Jane Doe's package "10-Session Pack" at `);
    expect(mail.text).toContain('expires on 2026-06-15.');
    expect(mail.text).toContain('Credits left: 3 of 4.');
    expect(mail.text).toContain('until the end of 2026-06-14');
    expect(mail.text).toContain('— Punchcard'); // non-ASCII survives the encoding
    expect(mail.dedupeKey).toBe(`expiry-alert:${raw(pack.id)}`);

    const row = await t.db.prisma.mailOutbox.findUniqueOrThrow({ where: { dedupeKey: mail.dedupeKey } });
    expect(row).toMatchObject({ status: 'SENT', attempts: 1, lastError: null, readAt: null });
    expect(row.sentAt).toEqual(new Date('2026-06-08T00:00:00Z'));
    expect(mail.messageId).toBe(`<${row.id}@studio.test>`);
  });

  it('expires a package past its date at the next run: EXPIRED in the history, sessions refused with PackageExpired', async () => {
    const s = await studio(t);
    const clientId = await s.client('Max Mustermann');
    const expiring = await s.package(clientId, { name: 'Summer Pack', credits: 4, expiresOn: '2026-06-15' });
    await s.package(clientId, { name: 'Open Pack', credits: 10 });
    expect(await s.log(clientId)).toMatchObject({ package: { id: expiring } }); // first-expiring first

    t.clock.current = new Date('2026-06-14T23:59:59Z'); // its last usable second: alerted, not expired
    expect(await t.app.jobs.runOnce()).toMatchObject({ expired: 0, expiryAlerts: 1 });
    t.clock.current = new Date('2026-06-15T00:00:00Z');
    expect(await t.app.jobs.runOnce()).toMatchObject({ expired: 1, expiryAlerts: 0, errors: [] });
    expect((await t.app.jobs.runOnce()).expired).toBe(0);

    const history = await s.history(clientId);
    expect(history.filter((e: { event: string }) => e.event === 'EXPIRED')).toHaveLength(1);
    expect(history[0]).toMatchObject({
      event: 'EXPIRED',
      amount: -3,
      balanceAfter: 10,
      actorName: 'Punchcard',
      package: { id: expiring },
    });
    const pkg = await s.call(
      `query($id: ID!) { node(id: $id) { ... on Package { state remainingCredits expiredCredits } } }`,
      { id: expiring },
    );
    expect(pkg).toEqual({ state: 'EXPIRED', remainingCredits: 0, expiredCredits: 3 });
    expect(await s.log(clientId, { packageId: expiring })).toMatchObject({
      __typename: 'PackageExpired',
      code: 'PackageExpired',
    });
    // The client's other credits still work; the lapsed package is never chosen.
    expect(await s.log(clientId)).toMatchObject({ __typename: 'SessionPayload', balance: 9 });
    expect(smtp.received.map((m) => m.dedupeKey)).toEqual([`expiry-alert:${raw(expiring)}`]);
  });

  it('sends "running low" once per crossing of the team threshold', async () => {
    const s = await studio(t); // lowCreditThreshold defaults to 2
    const owner = await ownerEmail(t, s.token);
    const lena = await s.client('Lena Low');
    await s.package(lena, { credits: 4 });
    await s.log(lena); // 3
    expect((await t.app.jobs.runOnce()).lowCreditAlerts).toBe(0);
    await s.log(lena); // 2: crossed
    expect((await t.app.jobs.runOnce()).lowCreditAlerts).toBe(1);
    await s.log(lena); // 1: still low, same crossing
    expect((await t.app.jobs.runOnce()).lowCreditAlerts).toBe(0);
    await s.package(lena, { credits: 5 }); // 6: above again
    for (let i = 0; i < 4; i++) await s.log(lena); // 2: a new crossing
    expect((await t.app.jobs.runOnce()).lowCreditAlerts).toBe(1);

    // Never above the threshold: never crossed it.
    const tim = await s.client('Tiny Tim');
    await s.package(tim, { credits: 2 });
    // An expiry by date can be the crossing too: 3 + 2 credits, the 3 lapse on the 10th.
    const ella = await s.client('Ella Expiry');
    await s.package(ella, { credits: 3, expiresOn: '2026-06-10' });
    await s.package(ella, { credits: 2 });
    expect((await t.app.jobs.runOnce()).lowCreditAlerts).toBe(0);
    t.clock.current = new Date('2026-06-10T00:00:00Z');
    expect(await t.app.jobs.runOnce()).toMatchObject({ expired: 1, lowCreditAlerts: 1, errors: [] });

    const low = smtp.received.filter((m) => m.dedupeKey.startsWith('low-credits:'));
    expect(low.map((m) => m.subject)).toEqual([
      'Lena Low is running low: 2 credits left',
      'Lena Low is running low: 2 credits left',
      'Ella Expiry is running low: 2 credits left',
    ]);
    expect(new Set(low.map((m) => m.dedupeKey)).size).toBe(3);
    expect(low[0].dedupeKey).toMatch(new RegExp(`^low-credits:${raw(lena)}:\\d+$`));
    expect(low[0].envelopeTo).toEqual([owner]);
    expect(low[0].text).toContain('Lena Low has 2 credits left across active packages');
    expect(low[0].text).toContain('your low-credit threshold is 2');
  });

  it('retries a refused or failed send later, gives up on a permanent refusal, and re-sends a claim that went stale', async () => {
    const s = await studio(t);
    const teamId = raw(s.teamId);
    const now = t.clock.now();
    const draft = (key: string) => ({
      teamId,
      dedupeKey: key,
      to: ['a@example.com'],
      subject: key,
      text: `About ${key}`,
    });
    await enqueueMail(t.db.prisma, [draft('test:transient')], now);
    smtp.state.refuse = (m) => (m.dedupeKey === 'test:transient' ? { code: 451, message: 'Try again later' } : null);
    expect((await t.app.jobs.runOnce()).mail).toEqual({ sent: 0, failed: 0, retrying: 1 });
    const after1 = await t.db.prisma.mailOutbox.findUniqueOrThrow({ where: { dedupeKey: 'test:transient' } });
    expect(after1).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(after1.lastError).toContain('451');
    smtp.state.refuse = null;
    expect((await t.app.jobs.runOnce()).mail.sent).toBe(0); // waits a minute before retrying
    t.clock.advance(MIN);
    expect((await t.app.jobs.runOnce()).mail.sent).toBe(1);
    expect(await t.db.prisma.mailOutbox.findUniqueOrThrow({ where: { dedupeKey: 'test:transient' } })).toMatchObject({
      status: 'SENT',
      attempts: 2,
      lastError: null,
    });

    await enqueueMail(t.db.prisma, [draft('test:permanent')], t.clock.now());
    smtp.state.refuse = () => ({ code: 550, message: 'No such mailbox' });
    expect((await t.app.jobs.runOnce()).mail).toEqual({ sent: 0, failed: 1, retrying: 0 });
    smtp.state.refuse = null;
    t.clock.advance(DAY);
    expect((await t.app.jobs.runOnce()).mail).toEqual({ sent: 0, failed: 0, retrying: 0 });
    const failed = await t.db.prisma.mailOutbox.findUniqueOrThrow({ where: { dedupeKey: 'test:permanent' } });
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(failed.lastError).toContain('550');

    // A sender that died mid-send left a SENDING claim: left alone while it may still be
    // running, taken over once older than the stale window (10 minutes).
    await enqueueMail(t.db.prisma, [draft('test:stale')], t.clock.now());
    await t.db.prisma.mailOutbox.update({
      where: { dedupeKey: 'test:stale' },
      data: { status: 'SENDING', attempts: 1, claimedAt: new Date(t.clock.now().getTime() - 5 * MIN) },
    });
    expect((await t.app.jobs.runOnce()).mail.sent).toBe(0);
    t.clock.advance(6 * MIN);
    expect((await t.app.jobs.runOnce()).mail.sent).toBe(1);
    expect(await t.db.prisma.mailOutbox.findUniqueOrThrow({ where: { dedupeKey: 'test:stale' } })).toMatchObject({
      status: 'SENT',
      attempts: 2,
    });

    // A relay that is down: a connection error is retried, not given up.
    await enqueueMail(t.db.prisma, [draft('test:down')], t.clock.now());
    const down = createJobRunner({
      ledger: { prisma: t.db.prisma, now: t.clock.now },
      transport: smtpTransport('smtp://127.0.0.1:1', MAIL_FROM),
      intervalMs: MIN,
      log: silentLogger,
    });
    expect((await down.runOnce()).mail).toEqual({ sent: 0, failed: 0, retrying: 1 });
    await down.stop();

    // The relay takes the mail for one recipient and refuses the other: sent, and the refusal logged.
    await enqueueMail(
      t.db.prisma,
      [{ ...draft('test:partial'), to: ['team@example.com', 'gone@example.com'] }],
      t.clock.now(),
    );
    smtp.state.refuseRecipient = (address) => address === 'gone@example.com';
    const log = capturedLogger();
    const partial = createJobRunner({
      ledger: { prisma: t.db.prisma, now: t.clock.now },
      transport: smtpTransport(smtp.url, MAIL_FROM, log.logger),
      intervalMs: MIN,
      log: log.logger,
    });
    expect((await partial.runOnce()).mail).toEqual({ sent: 1, failed: 0, retrying: 0 });
    await partial.stop();
    expect(smtp.received.at(-1)?.envelopeTo).toEqual(['team@example.com']);
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        dedupeKey: 'test:partial',
        refused: ['gone@example.com'],
        msg: expect.stringContaining('the relay refused gone@example.com'),
      }),
    );

    expect(smtp.received.map((m) => m.dedupeKey)).toEqual(['test:transient', 'test:stale', 'test:partial']);
  });
});

// Two runners on one database, as two server instances have: every alert is sent once and every
// package expires once. On PGlite both share the one connection (interleaved, not parallel);
// on PostgreSQL each has its own pool, so the claims really race.
const postgres = await createPostgresTestDatabase();
if (!postgres) console.warn('SKIPPED: jobs race on PostgreSQL — no server at TEST_DATABASE_URL / 127.0.0.1:5432.');
const backends = postgres ? ['PGlite', 'PostgreSQL'] : ['PGlite'];

describe.each(backends)('two instances racing on %s', (backend) => {
  let t: TestApp;
  let peerDb: Database | null = null;
  beforeAll(async () => {
    const db = backend === 'PostgreSQL' ? (postgres as PostgresTestDatabase) : undefined;
    t = await createTestApp({ db, env: { SMTP_URL: smtp.url, MAIL_FROM, JOBS: 'off' } });
    if (db) peerDb = await openDatabase({ databaseUrl: db.url, migrate: false, poolSize: 4 });
  });
  afterAll(async () => {
    await t.close();
    await peerDb?.close();
    if (backend === 'PostgreSQL') await postgres?.drop();
  });

  it('send each alert once and expire each package once', async () => {
    smtp.received.length = 0;
    smtp.state.refuse = null;
    const s = await studio(t);
    const alerted: string[] = [];
    const lapsing: string[] = [];
    for (let i = 0; i < 8; i++) {
      const clientId = await s.client(`Racer ${i}`);
      alerted.push(await s.package(clientId, { name: `Pack ${i}`, credits: 5, expiresOn: '2026-06-12' }));
      lapsing.push(await s.package(clientId, { name: `Old ${i}`, credits: 5, expiresOn: '2026-06-05' }));
    }
    t.clock.current = new Date('2026-06-06T09:00:00Z');
    const peer = peerRunner(t, smtp.url, peerDb?.prisma ?? t.db.prisma);
    const runs: Promise<JobReport>[] = [];
    for (let round = 0; round < 3; round++) runs.push(t.app.jobs.runOnce(), peer.runOnce());
    const reports = await Promise.all(runs);
    await peer.stop();

    const sum = (f: (r: JobReport) => number) => reports.reduce((n, r) => n + f(r), 0);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    expect(sum((r) => r.expired)).toBe(8);
    expect(sum((r) => r.expiryAlerts)).toBe(8);
    expect(sum((r) => r.mail.sent)).toBe(8);
    expect(smtp.received.map((m) => m.dedupeKey).sort()).toEqual(alerted.map((id) => `expiry-alert:${raw(id)}`).sort());

    const rows = await t.db.prisma.mailOutbox.findMany({ where: { teamId: raw(s.teamId) } });
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.status === 'SENT' && r.attempts === 1)).toBe(true);
    const expiredEntries = await t.db.prisma.ledgerEntry.groupBy({
      by: ['packageId'],
      where: { teamId: raw(s.teamId), event: 'EXPIRED' },
      _count: true,
    });
    expect(expiredEntries.map((e) => [e.packageId, e._count]).sort()).toEqual(lapsing.map((id) => [raw(id), 1]).sort());
  });
});

describe('without SMTP (the embedded default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { JOBS: 'off' } });
  });
  afterAll(() => t.close());

  const NOTIFICATIONS = `query($unread: Boolean) { notifications(first: 10, unreadOnly: $unread) {
    edges { node { id kind subject text recipients delivery read readAt createdAt } } pageInfo { hasNextPage } } }`;
  const MARK = `mutation($id: ID!, $read: Boolean) { markNotificationRead(id: $id, read: $read) {
    __typename ... on Notification { id read readAt } ... on InvalidInput { field } ${ERR} } }`;

  it('keeps each alert as an in-app notification, logs it, and lets the team read it', async () => {
    expect(t.app.jobs.transport.kind).toBe('inbox');
    const s = await studio(t);
    const owner = await ownerEmail(t, s.token);
    const seller = await teamMember(t, s, 'TRAINER', 'Sam Seller');
    const bystander = await teamMember(t, s, 'TRAINER', 'Bea Bystander');
    const clientId = await s.client('Nora Notified');
    await s.call(
      CREATE_PACKAGE,
      { input: { clientId, name: 'Spring Pack', credits: 6, expiresOn: '2026-06-05' } },
      seller.token,
    );

    // The app's own runner logs through LOG_LEVEL (silent in tests): use one that records.
    const log = capturedLogger();
    const runner = createJobRunner({
      ledger: t.app.ledger,
      transport: inboxTransport(log.logger),
      intervalMs: MIN,
      log: log.logger,
    });
    expect(await runner.runOnce()).toMatchObject({ expiryAlerts: 1, mail: { sent: 1 }, errors: [] });
    expect((await runner.runOnce()).mail.sent).toBe(0);
    await runner.stop();
    const logLine = log.lines().find((l) => l.msg.includes('kept as an in-app notification'));
    expect(logLine?.level).toBe('info');
    expect(logLine?.subject).toContain(`Nora Notified's package "Spring Pack" expires on 2026-06-05`);
    expect(logLine?.text).toContain('Credits left: 6 of 6.');

    const { notifications } = await t.ok(NOTIFICATIONS, {}, s.token);
    expect(notifications.edges).toHaveLength(1);
    const note = notifications.edges[0].node;
    expect(note).toMatchObject({
      kind: 'EXPIRY_ALERT',
      subject: `Nora Notified's package "Spring Pack" expires on 2026-06-05 with 6 credits left`,
      delivery: 'SENT',
      read: false,
      readAt: null,
      createdAt: '2026-06-01T12:00:00.000Z',
    });
    expect(note.text).toContain('Credits left: 6 of 6.');
    expect([...note.recipients].sort()).toEqual([owner, seller.email].sort());

    // Trainers see what was addressed to them, nothing else.
    expect((await t.ok(NOTIFICATIONS, {}, seller.token)).notifications.edges).toHaveLength(1);
    expect((await t.ok(NOTIFICATIONS, {}, bystander.token)).notifications.edges).toEqual([]);
    expect(await s.call(MARK, { id: note.id }, bystander.token)).toMatchObject({ __typename: 'NotFound' });

    expect((await t.ok('{ unreadNotificationCount }', {}, s.token)).unreadNotificationCount).toBe(1);
    t.clock.advance(60_000);
    expect(await s.call(MARK, { id: note.id }, seller.token)).toEqual({
      __typename: 'Notification',
      id: note.id,
      read: true,
      readAt: '2026-06-01T12:01:00.000Z',
    });
    t.clock.advance(60_000);
    // Read again: keeps the first time; owners see it read too, and unread filters drop it.
    expect(await s.call(MARK, { id: note.id })).toMatchObject({ read: true, readAt: '2026-06-01T12:01:00.000Z' });
    expect((await t.ok(NOTIFICATIONS, { unread: true }, s.token)).notifications.edges).toEqual([]);
    expect((await t.ok('{ unreadNotificationCount }', {}, s.token)).unreadNotificationCount).toBe(0);
    expect(await s.call(MARK, { id: note.id, read: false })).toMatchObject({ read: false, readAt: null });

    // Another team cannot see or touch it; bad IDs and anonymous callers get typed refusals.
    const other = await studio(t);
    expect((await t.ok(NOTIFICATIONS, {}, other.token)).notifications.edges).toEqual([]);
    expect(await other.call(MARK, { id: note.id })).toMatchObject({ __typename: 'NotFound' });
    expect(await s.call(MARK, { id: clientId })).toMatchObject({ __typename: 'InvalidInput', field: 'id' });
    const anonymous = await t.gql(NOTIFICATIONS);
    expect(anonymous.errors?.[0].extensions?.code).toBe('Unauthenticated');
  });
});

describe('configuration', () => {
  it('defaults to in-app mail, jobs on, every minute', () => {
    expect(loadConfig({})).toMatchObject({
      smtpUrl: undefined,
      mailFrom: 'Punchcard <punchcard@localhost>',
      jobs: true,
      jobsIntervalMs: 60_000,
    });
    expect(
      loadConfig({
        SMTP_URL: 'smtps://user:secret@mail.example.com:465',
        MAIL_FROM: 'alerts@studio.example',
        JOBS: 'off',
        JOBS_INTERVAL_MS: '5000',
      }),
    ).toMatchObject({
      smtpUrl: 'smtps://user:secret@mail.example.com:465',
      mailFrom: 'alerts@studio.example',
      jobs: false,
      jobsIntervalMs: 5000,
    });
  });

  it.each([
    ['SMTP_URL', 'http://mail.example.com'],
    ['SMTP_URL', 'not a url'],
    ['MAIL_FROM', 'nobody'],
    ['MAIL_FROM', 'Name <broken>'],
    ['JOBS', 'yes'],
    ['JOBS_INTERVAL_MS', '10'],
    ['JOBS_INTERVAL_MS', 'often'],
  ])('refuses %s=%s', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});

describe('npm run jobs:run-once', () => {
  // A child process migrating a fresh embedded database: seconds alone, much longer on a loaded
  // machine. It waits for the process to exit; the timeout only catches a hang.
  it('opens the configured database, runs every job once and reports', { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'punchcard-jobs-'));
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'server/jobs/run-once-cli.ts'],
        { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', LOG_LEVEL: 'info' } },
      );
      expect(stdout).toContain(`Running background jobs once on PGlite at ${dataDir}`);
      expect(stdout).toContain('in-app notifications only (no SMTP_URL)');
      const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
      expect(report).toEqual({
        expired: 0,
        expiryAlerts: 0,
        lowCreditAlerts: 0,
        mail: { sent: 0, failed: 0, retrying: 0 },
        errors: [],
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
