// Admission: how many callers may use a scarce resource at once (PostgreSQL connections, PGlite's
// one connection, a team's write turn) and how the others wait.
//
// Waiting is the normal case under a burst: 500 writes sent at once on one team are served one
// after the other, and each of them waits and succeeds. What must not happen is an unbounded
// pile-up, or a busy database reported as a dead one. So a waiting caller is refused only
// - with `Overloaded` (HTTP 503 + Retry-After) when more than `maxQueued` callers already wait,
//   or it has waited `maxWaitMs` — limits far above what a studio generates (README.md,
//   "Overload"); or
// - with `DatabaseNotAnswering` when `stallMs` is set and not one holder finished in that long:
//   the queue is not moving because the database stopped answering (a partition), not because
//   it is busy. That keeps the fast 503 of an outage while a busy queue may take its time.

/** At most this many callers wait for one resource in one process; the next one is refused. */
export const ADMISSION_MAX_QUEUED = 5_000;
/**
 * A caller waiting this long for its turn is refused: by then an HTTP client or proxy has usually
 * given up (nginx's default read timeout is 60 s), so its work would be wasted.
 */
export const ADMISSION_MAX_WAIT_MS = 60_000;
/**
 * Prisma's own bound on waiting for a transaction's connection (its default, 2 s, is meant for a
 * pool checkout). Longer than the admission's, so that a caller waiting too long is refused by
 * the admission, as `Overloaded`, and not by Prisma as an unexplained error.
 */
export const TRANSACTION_MAX_WAIT_MS = ADMISSION_MAX_WAIT_MS + 5_000;
/** What `Retry-After` tells a refused caller. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 2;

/** Too much work queued: the caller should retry later. Not a bug and not an outage. */
export class Overloaded extends Error {
  override readonly name = 'Overloaded';
  /** Kept by Prisma's driver adapter, which passes on an error's `code` but not the error. */
  readonly code = 'Overloaded';
  readonly retryAfterSeconds = OVERLOADED_RETRY_AFTER_SECONDS;
  constructor(reason: string) {
    super(`The server is overloaded (${reason}). Try again in a few seconds.`);
  }
}

/** No connection was returned for `stallMs` while callers waited: the database is not answering. */
export class DatabaseNotAnswering extends Error {
  override readonly name = 'DatabaseNotAnswering';
  /** Kept by Prisma's driver adapter, which passes on an error's `code` but not the error. */
  readonly code = 'DatabaseNotAnswering';
}

/** Whether `error` (or an error it wraps) is an `Overloaded` refusal. */
export function isOverloaded(error: unknown): error is Overloaded {
  type Chain = { name?: string; code?: unknown; cause?: unknown; originalError?: unknown };
  for (let e = error as Chain | undefined, depth = 0; e && depth < 8; depth++) {
    // Through Prisma's PostgreSQL adapter only the `code` survives (a PrismaClientKnownRequestError).
    if (e instanceof Overloaded || e.name === 'Overloaded' || e.code === 'Overloaded') return true;
    e = (e.originalError ?? e.cause) as Chain | undefined;
  }
  return false;
}

export interface AdmissionLimits {
  maxQueued?: number;
  maxWaitMs?: number;
  /** Refuse waiters with DatabaseNotAnswering when no holder finished for this long. */
  stallMs?: number;
}

interface Waiter {
  since: number;
  timer?: ReturnType<typeof setTimeout>;
  grant(): void;
  refuse(error: Error): void;
}

/** A counting semaphore with a bounded FIFO queue. `enter()` resolves with the function that leaves. */
export class Admission {
  private holders = 0;
  private readonly waiting: Waiter[] = [];
  /** When the queue last moved: a holder entered or left. */
  private lastProgress = Date.now();
  private readonly maxQueued: number;
  private readonly maxWaitMs: number;

  constructor(
    readonly slots: number,
    private readonly what: string,
    private readonly limits: AdmissionLimits = {},
  ) {
    this.maxQueued = limits.maxQueued ?? ADMISSION_MAX_QUEUED;
    this.maxWaitMs = limits.maxWaitMs ?? ADMISSION_MAX_WAIT_MS;
  }

  /** Nobody holds or waits: the owner may forget this admission. */
  get idle(): boolean {
    return this.holders === 0 && this.waiting.length === 0;
  }

  async enter(): Promise<() => void> {
    if (this.holders < this.slots && this.waiting.length === 0) {
      this.lastProgress = Date.now();
      this.holders++;
      return this.leaveOnce();
    }
    if (this.stalled()) throw new DatabaseNotAnswering(`No ${this.what} came free in ${this.limits.stallMs} ms.`);
    if (this.waiting.length >= this.maxQueued) {
      throw new Overloaded(`${this.waiting.length} requests already wait for a ${this.what}`);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        since: Date.now(),
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(this.leaveOnce());
        },
        refuse: (error) => {
          clearTimeout(waiter.timer);
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(error);
        },
      };
      this.waiting.push(waiter);
      this.watch(waiter);
    });
  }

  private stalled(): boolean {
    return this.limits.stallMs != null && Date.now() - this.lastProgress >= this.limits.stallMs;
  }

  /** Wakes up when the waiter's time is up, or the queue may have stalled; re-arms otherwise. */
  private watch(waiter: Waiter) {
    if (!this.waiting.includes(waiter)) return; // granted meanwhile
    const now = Date.now();
    if (now - waiter.since >= this.maxWaitMs) {
      waiter.refuse(new Overloaded(`waited ${this.maxWaitMs / 1000} s for a ${this.what}`));
      return;
    }
    if (this.stalled()) {
      waiter.refuse(new DatabaseNotAnswering(`No ${this.what} came free in ${this.limits.stallMs} ms.`));
      return;
    }
    let wake = waiter.since + this.maxWaitMs;
    if (this.limits.stallMs != null) wake = Math.min(wake, this.lastProgress + this.limits.stallMs);
    // Decide after the next I/O poll, not in the timer phase: after the event loop was blocked
    // (a burst of CPU work), connections that came back meanwhile are noticed before a stall is.
    waiter.timer = setTimeout(() => setImmediate(() => this.watch(waiter)), Math.max(1, wake - now));
    waiter.timer.unref?.();
  }

  private leaveOnce(): () => void {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.lastProgress = Date.now();
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.holders--;
    };
  }
}
