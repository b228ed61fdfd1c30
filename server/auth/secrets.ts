import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { RateLimited } from '../ledger/errors.ts';

/** `Algorithm.Argon2id`: the package exports it as a const enum, which isolated modules cannot read. */
const ARGON2ID = 2;

/**
 * argon2id with the library's defaults (19 MiB, t=2, p=1: OWASP's recommended minimum).
 * @node-rs/argon2 ships N-API binaries per platform; the `argon2` package's prebuild crashed
 * (SIGSEGV) on these machines.
 */
export function hashPassword(password: string): Promise<string> {
  return queued(() => hash(password, { algorithm: ARGON2ID }));
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return queued(() => verify(passwordHash, password).catch(() => false));
}

/**
 * Each hash takes 19 MiB and a core for tens of milliseconds: unbounded, 64 parallel logins
 * starved every other request. Hashes run at most one per core but one (at least one), the
 * rest wait in a bounded queue; past it, a request is refused at once (RateLimited) instead
 * of waiting ever longer.
 */
export const HASHES_AT_ONCE = Math.max(1, availableParallelism() - 1);
export const HASHES_QUEUED = 32;
const hashing = pLimit(HASHES_AT_ONCE);

function queued<T>(work: () => Promise<T>): Promise<T> {
  if (hashing.pendingCount >= HASHES_QUEUED) return Promise.reject(new RateLimited(1));
  return hashing(work);
}

/** 256 random bits, URL-safe; stored only as sha256 so a database leak reveals no live token. */
export function newToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
