import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimited } from '../ledger/errors.ts';

/**
 * Request budgets. With Redis they are shared by every instance (a key cannot get N× the
 * budget by spreading over instances); without it, or while Redis is down, each instance
 * counts in memory.
 */
export interface Limits {
  /** Spends one request of an API key's budget; throws RateLimited when it is spent. */
  apiKey(keyId: string): Promise<void>;
  /** Throws RateLimited while this login (email + address) has failed too often. */
  loginAllowed(key: string): Promise<void>;
  loginFailed(key: string): Promise<void>;
  loginSucceeded(key: string): Promise<void>;
}

export interface LimitOptions {
  apiKeyPerMinute: number;
  loginFailuresPer15Minutes: number;
  redis?: Redis;
}

function limiter(prefix: string, points: number, duration: number, redis?: Redis) {
  const memory = new RateLimiterMemory({ keyPrefix: prefix, points, duration });
  return redis
    ? new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `punchcard:${prefix}`,
        points,
        duration,
        insuranceLimiter: memory,
      })
    : memory;
}

function refused(result: unknown): never {
  if (result instanceof RateLimiterRes) throw new RateLimited(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
  throw result;
}

export function createLimits(options: LimitOptions): Limits {
  const apiKeys = limiter('api-key', options.apiKeyPerMinute, 60, options.redis);
  const logins = limiter('login-fail', options.loginFailuresPer15Minutes, 15 * 60, options.redis);
  return {
    async apiKey(keyId) {
      await apiKeys.consume(keyId).catch(refused);
    },
    async loginAllowed(key) {
      const state = await logins.get(key);
      if (state && state.consumedPoints >= options.loginFailuresPer15Minutes) refused(state);
    },
    async loginFailed(key) {
      await logins.consume(key).catch(() => {});
    },
    async loginSucceeded(key) {
      await logins.delete(key).catch(() => {});
    },
  };
}
