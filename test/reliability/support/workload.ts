import type { PrismaClient } from '../../../server/generated/prisma/client.ts';
import { describe, field, type Reply, rawId, send, sleep, type Team } from './http.ts';

/**
 * A mixed write load with idempotency keys, as a careful API client sends it: every operation
 * gets a key and fixed input; when no answer comes (connection refused or reset, timeout, 5xx,
 * an error instead of a result), the same key and input are sent again until an answer does.
 * Every answered operation goes into the journal, which `verify` then holds the database to.
 */

const SESSION = '__typename ... on SessionPayload { balance session { id } package { id } } ... on Error { code }';
const PACKAGE = '__typename ... on Package { id totalCredits } ... on Error { code }';

export const MUTATIONS = {
  logSession: `mutation($input: LogSessionInput!) { logSession(input: $input) { ${SESSION} } }`,
  bookSession: `mutation($input: BookSessionInput!) { bookSession(input: $input) { ${SESSION} } }`,
  cancelSession: `mutation($id: ID!, $key: String) { cancelSession(sessionId: $id, idempotencyKey: $key) { ${SESSION} } }`,
  undoSession: `mutation($id: ID!, $key: String) { undoSession(sessionId: $id, idempotencyKey: $key) { ${SESSION} } }`,
  createPackage: `mutation($input: CreatePackageInput!) { createPackage(input: $input) { ${PACKAGE} } }`,
} as const;

export type Operation = keyof typeof MUTATIONS;

export interface Acked {
  key: string;
  op: Operation;
  variables: Record<string, unknown>;
  /** The answer's first field: a payload or a typed error. */
  result: any;
  /** Sends it took (1 = answered at once). */
  attempts: number;
  /** The session it was about (cancel/undo), as a global ID. */
  sessionId?: string;
}

export interface WorkloadOptions {
  /** The servers to send to; writer i uses urls[i % urls.length]. A function, so a test may move them. */
  urls: () => string[];
  team: Team;
  writers: number;
  /** Give up on an operation (and fail the check) after this long without an answer. */
  giveUpMs?: number;
  /** Per-request timeout: a server that does not answer in time counts as no answer. */
  requestTimeoutMs?: number;
}

const STATUSES = ['COMPLETED', 'COMPLETED', 'NO_SHOW', 'LATE_CANCELLED', 'CANCELLED'];

export class Workload {
  readonly acked: Acked[] = [];
  /** Why sends went unanswered, with counts (network errors, 5xx, masked errors…). */
  readonly unanswered: Record<string, number> = {};
  /** Every reply, in order, with the time it came: what a test asserts about an outage. */
  readonly timeline: { at: number; op: Operation; outcome: string; ms: number }[] = [];
  readonly abandoned: { key: string; op: Operation; last: string }[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private counter = 0;

  constructor(private readonly opts: WorkloadOptions) {}

  start() {
    this.running = true;
    this.loops = Array.from({ length: this.opts.writers }, (_, i) => this.writer(i));
  }

  /** Stops starting new operations and waits until every started one is answered (or abandoned). */
  async stop() {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Sends one operation until it is answered; the answer, or null if abandoned. */
  async perform(writer: number, op: Operation, variables: Record<string, unknown>, key: string) {
    const began = Date.now();
    let attempts = 0;
    let last = '';
    for (;;) {
      const urls = this.opts.urls();
      attempts++;
      const reply: Reply = await send(
        urls[writer % urls.length],
        MUTATIONS[op],
        variables,
        this.opts.team.token,
        this.opts.requestTimeoutMs ?? 20_000,
      );
      last = describe(reply);
      this.timeline.push({ at: Date.now(), op, outcome: last, ms: reply.ms });
      const result = field(reply);
      if (result?.__typename) {
        const acked: Acked = { key, op, variables, result, attempts };
        this.acked.push(acked);
        return acked;
      }
      this.unanswered[last] = (this.unanswered[last] ?? 0) + 1;
      // A malformed request stays malformed: retrying it would only hide a bug in the test.
      const fatal = reply.kind === 'response' && /GRAPHQL_(VALIDATION|PARSE)_FAILED|BAD_USER_INPUT/.test(last);
      if (fatal || Date.now() - began > (this.opts.giveUpMs ?? 120_000)) {
        this.abandoned.push({ key, op, last });
        return null;
      }
      await sleep(50 + Math.random() * 150);
    }
  }

  private key(writer: number) {
    return `w${writer}-${++this.counter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  private async writer(writer: number) {
    const { team } = this.opts;
    const bookings: string[] = [];
    const undoable: string[] = [];
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
    const take = (list: string[]) => list.splice(Math.floor(Math.random() * list.length), 1)[0];
    while (this.running) {
      const r = Math.random();
      const key = this.key(writer);
      if (r < 0.15 && bookings.length) {
        const id = take(bookings);
        const a = await this.perform(writer, 'cancelSession', { id, key }, key);
        if (a) {
          a.sessionId = id;
          if (a.result.__typename === 'SessionPayload') undoable.push(id);
        }
      } else if (r < 0.3 && undoable.length) {
        const id = take(undoable);
        const a = await this.perform(writer, 'undoSession', { id, key }, key);
        if (a) a.sessionId = id;
      } else if (r < 0.55) {
        // 1–72 h ahead: with the default window some cancels are early (RETURNED), some late (VOIDED).
        const startsAt = new Date(Date.now() + (1 + Math.random() * 71) * 3_600_000).toISOString();
        const input = {
          clientId: pick(team.clients),
          sessionTypeId: team.sessionTypeId,
          startsAt,
          idempotencyKey: key,
        };
        const a = await this.perform(writer, 'bookSession', { input }, key);
        if (a?.result.__typename === 'SessionPayload') bookings.push(a.result.session.id);
      } else if (r < 0.65) {
        const input = { clientId: pick(team.clients), name: 'Top-up', credits: 5, idempotencyKey: key };
        await this.perform(writer, 'createPackage', { input }, key);
      } else {
        const input = { clientId: pick(team.clients), status: pick(STATUSES), idempotencyKey: key };
        const a = await this.perform(writer, 'logSession', { input }, key);
        if (a?.result.__typename === 'SessionPayload') undoable.push(a.result.session.id);
      }
    }
  }

  /** Operations answered with a payload (not a typed refusal). */
  get succeeded() {
    return this.acked.filter((a) => a.result.__typename === 'SessionPayload' || a.result.__typename === 'Package');
  }

  /**
   * Holds the database to the journal: every answered success is there with its effect and its
   * idempotency record, and nothing happened twice (one session per log/book key, one package
   * per createPackage key, one record per key). Returns the problems found.
   */
  async verify(prisma: PrismaClient, setupPackages: number): Promise<string[]> {
    const problems: string[] = [];
    const teamId = rawId(this.opts.team.teamId);
    const records = new Map(
      (await prisma.idempotencyRecord.findMany({ where: { teamId }, select: { key: true, result: true } })).map((r) => [
        r.key,
        r.result,
      ]),
    );
    const sessions = new Map((await prisma.session.findMany({ where: { teamId } })).map((s) => [s.id, s] as const));
    const entries = await prisma.ledgerEntry.findMany({
      where: { teamId },
      select: { sessionId: true, event: true, packageId: true },
    });
    const bySession = new Map<string, string[]>();
    for (const e of entries)
      if (e.sessionId) (bySession.get(e.sessionId) ?? bySession.set(e.sessionId, []).get(e.sessionId)!).push(e.event);
    const packages = new Set(
      (await prisma.package.findMany({ where: { teamId }, select: { id: true } })).map((p) => p.id),
    );

    for (const a of this.succeeded) {
      const where = `${a.op} ${a.key}`;
      if (!records.has(a.key)) problems.push(`${where}: answered ${a.result.__typename} but no idempotency record`);
      if (a.op === 'createPackage') {
        if (!packages.has(rawId(a.result.id))) problems.push(`${where}: package ${a.result.id} missing`);
        continue;
      }
      const sessionId = rawId(a.result.session.id);
      const session = sessions.get(sessionId);
      if (!session) {
        problems.push(`${where}: session ${sessionId} missing`);
        continue;
      }
      const events = bySession.get(sessionId) ?? [];
      if ((a.op === 'logSession' || a.op === 'bookSession') && a.result.package && !events.includes('USED')) {
        problems.push(`${where}: session ${sessionId} used a credit but has no USED entry`);
      }
      if (a.op === 'cancelSession' && !(session.cancelledAt && /CANCELLED$/.test(session.status))) {
        problems.push(`${where}: session ${sessionId} is ${session.status}, not cancelled`);
      }
      if (a.op === 'undoSession' && !session.undoneAt) problems.push(`${where}: session ${sessionId} not undone`);
    }

    const created = this.succeeded.filter((a) => a.op === 'logSession' || a.op === 'bookSession').length;
    if (sessions.size !== created) {
      problems.push(
        `${sessions.size} sessions in the database for ${created} answered log/book keys (a duplicate or a loss)`,
      );
    }
    const newPackages = this.succeeded.filter((a) => a.op === 'createPackage').length;
    if (packages.size !== setupPackages + newPackages) {
      problems.push(
        `${packages.size} packages for ${setupPackages} set up + ${newPackages} answered createPackage keys`,
      );
    }
    if (records.size !== this.succeeded.length) {
      problems.push(`${records.size} idempotency records for ${this.succeeded.length} answered successes`);
    }
    for (const a of this.abandoned) problems.push(`${a.op} ${a.key}: never answered (last: ${a.last})`);
    return problems;
  }

  /** Sends every answered success again with its key: each must get the very same answer. */
  async replay(url: string, concurrency = 8): Promise<string[]> {
    const problems: string[] = [];
    const queue = [...this.succeeded];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let a = queue.pop(); a; a = queue.pop()) {
          const reply = await send(url, MUTATIONS[a.op], a.variables, this.opts.team.token);
          const again = field(reply);
          if (JSON.stringify(again) !== JSON.stringify(a.result)) {
            problems.push(
              `${a.op} ${a.key}: first ${JSON.stringify(a.result)}, replay ${again ? JSON.stringify(again) : describe(reply)}`,
            );
          }
        }
      }),
    );
    return problems;
  }
}
