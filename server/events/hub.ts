import type { LedgerEntry, PrismaClient, SessionEvent } from '../generated/prisma/client.ts';
import type { Hint, Signal } from './signal.ts';
import { singleFlight } from './single-flight.ts';

/** One item of a team's event stream: a ledger entry or a session change, by sequence. */
export type TeamEvent =
  | {
      sequence: number;
      kind: 'LEDGER_ENTRY';
      clientId: string;
      createdAt: Date;
      entry: LedgerEntry;
      sessionEvent: null;
    }
  | {
      sequence: number;
      kind: 'SESSION_CHANGE';
      clientId: string;
      createdAt: Date;
      entry: null;
      sessionEvent: SessionEvent;
    };

const PAGE = 500;
/** How often a feed re-reads the database without any hint: the bound on a lost hint's cost. */
const POLL_HEALTHY_MS = 5_000;
const POLL_DEGRADED_MS = 500;
/**
 * How often an idle subscriber's credentials are looked at again anyway. Logouts, removals and
 * revocations arrive at once as access hints; this only bounds how late an expired login ends.
 */
const ACCESS_RECHECK_MS = 60_000;
const BUFFER = 2_000;

/** Reads a team's events after a cursor from the database, in sequence order. */
export async function readEvents(
  prisma: PrismaClient,
  teamId: string,
  after: number,
  limit = PAGE,
): Promise<TeamEvent[]> {
  const where = { teamId, sequence: { gt: after } };
  const [entries, changes] = await Promise.all([
    prisma.ledgerEntry.findMany({ where, orderBy: { sequence: 'asc' }, take: limit }),
    prisma.sessionEvent.findMany({ where, orderBy: { sequence: 'asc' }, take: limit }),
  ]);
  const events: TeamEvent[] = [
    ...entries.map((entry) => ({
      sequence: entry.sequence,
      kind: 'LEDGER_ENTRY' as const,
      clientId: entry.clientId,
      createdAt: entry.createdAt,
      entry,
      sessionEvent: null,
    })),
    ...changes.map((sessionEvent) => ({
      sequence: sessionEvent.sequence,
      kind: 'SESSION_CHANGE' as const,
      clientId: sessionEvent.clientId,
      createdAt: sessionEvent.createdAt,
      entry: null,
      sessionEvent,
    })),
  ].sort((a, b) => a.sequence - b.sequence);
  // Both lists were cut at `limit`: keep only the gap-free prefix both of them fully cover.
  const complete: TeamEvent[] = [];
  for (const event of events.slice(0, limit)) {
    if (event.sequence !== (complete.at(-1)?.sequence ?? after) + 1) break;
    complete.push(event);
  }
  return complete;
}

/**
 * A team's live stream inside one server instance, shared by all its subscribers here: one
 * database read per change, however many teammates watch. It keeps the recent events so a
 * subscriber close behind reads them from memory; anyone further behind reads the database.
 */
class TeamFeed {
  private buffer: TeamEvent[] = [];
  private head = -1;
  private waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  accessVersion = 0;
  subscribers = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly teamId: string,
    private readonly pollMs: () => number,
    private readonly onLag?: (seconds: number) => void,
  ) {}

  /** The last sequence the team has committed (the cursor of a subscriber that starts now). */
  async currentHead(): Promise<number> {
    if (this.head < 0) {
      const team = await this.prisma.team.findUnique({ where: { id: this.teamId }, select: { lastSequence: true } });
      this.head = Math.max(this.head, team?.lastSequence ?? 0);
    }
    return this.head;
  }

  /** Events after `cursor` if they are in memory (maybe none yet); null means: read the database. */
  fromBuffer(cursor: number): TeamEvent[] | null {
    if (cursor >= this.head) return [];
    const first = this.buffer[0]?.sequence;
    if (first === undefined || cursor < first - 1) return null;
    return this.buffer.slice(cursor - first + 1);
  }

  /** Re-reads the database (one read at a time; hints during a read ask for one more). */
  refresh = singleFlight(async () => {
    try {
      const cursor = await this.currentHead();
      const events = await readEvents(this.prisma, this.teamId, cursor);
      if (events.length === 0) return false;
      const readAt = Date.now();
      for (const event of events) this.onLag?.((readAt - event.createdAt.getTime()) / 1000);
      this.buffer.push(...events);
      if (this.buffer.length > BUFFER) this.buffer.splice(0, this.buffer.length - BUFFER);
      this.head = events.at(-1)!.sequence;
      this.wake();
      return events.length === PAGE;
    } catch {
      return false; // the database is unreachable: subscribers keep waiting and the next poll retries
    }
  });

  wake() {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves when there is news (events after `cursor`, or an access change) or after a poll interval. */
  wait(cursor: number, signal: AbortSignal): Promise<void> {
    if (this.head > cursor) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timeout = setTimeout(done, this.pollMs());
      signal.addEventListener('abort', done);
      this.waiters.add(done);
    });
  }

  startPolling() {
    const tick = () => {
      void this.refresh();
      this.timer = setTimeout(tick, this.pollMs());
    };
    this.timer = setTimeout(tick, this.pollMs());
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.wake();
  }
}

/** Per-instance hub: team feeds, fed by commits here and by hints from other instances. */
export class EventHub {
  private feeds = new Map<string, TeamFeed>();
  private unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly signal: Signal,
    /** Told, for each event a live feed reads, how long after its commit that was (metrics). */
    private readonly onLag?: (seconds: number) => void,
  ) {
    this.unsubscribe = signal.subscribe((hint) => this.onHint(hint));
  }

  /** Called after a commit that advanced a team's sequence. */
  teamChanged(teamId: string) {
    this.signal.publish({ teamId, kind: 'entries' });
  }

  /** Called after a logout or a membership change: subscribers re-check who they are. */
  accessChanged(teamId: string) {
    this.signal.publish({ teamId, kind: 'access' });
  }

  private onHint(hint: Hint) {
    const feed = this.feeds.get(hint.teamId);
    if (!feed) return;
    if (hint.kind === 'access') {
      feed.accessVersion++;
      feed.wake();
    } else {
      void feed.refresh();
    }
  }

  private pollMs = () => (this.signal.healthy() ? POLL_HEALTHY_MS : POLL_DEGRADED_MS);

  /**
   * The team's events after `after` (or from now), in sequence order, without gaps or
   * duplicates: replayed from the database first, then live. `authorized` is asked again
   * after every access change and at least every minute; when it says no, the stream
   * ends with the error it throws.
   */
  async *stream(
    teamId: string,
    after: number | null,
    authorized: () => Promise<void>,
    signal: AbortSignal,
  ): AsyncGenerator<TeamEvent> {
    let feed = this.feeds.get(teamId);
    if (!feed) {
      feed = new TeamFeed(this.prisma, teamId, this.pollMs, this.onLag);
      this.feeds.set(teamId, feed);
      feed.startPolling();
    }
    feed.subscribers++;
    try {
      const head = await feed.currentHead();
      let cursor = after ?? head;
      let checkedAccess = feed.accessVersion;
      // Jittered, so subscribers that connected together do not all re-check together.
      const recheckAfter = () => Date.now() + ACCESS_RECHECK_MS * (0.5 + Math.random());
      let recheckAt = recheckAfter();
      while (!signal.aborted && !this.closed) {
        if (feed.accessVersion !== checkedAccess || Date.now() >= recheckAt) {
          checkedAccess = feed.accessVersion;
          recheckAt = recheckAfter();
          await authorized();
        }
        const events = feed.fromBuffer(cursor) ?? (await readEvents(this.prisma, teamId, cursor));
        for (const event of events) {
          if (event.sequence !== cursor + 1) break; // never skip: re-read from the database
          yield event;
          cursor = event.sequence;
        }
        if (events.length === 0) await feed.wait(cursor, signal);
      }
    } finally {
      feed.subscribers--;
      if (feed.subscribers === 0) {
        feed.stop();
        this.feeds.delete(teamId);
      }
    }
  }

  async close() {
    this.closed = true;
    this.unsubscribe();
    for (const feed of this.feeds.values()) feed.stop();
    this.feeds.clear();
    await this.signal.close();
  }
}
