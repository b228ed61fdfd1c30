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
  /**
   * Takes one password attempt for this email from this address, before the password is
   * checked (so a burst of parallel guesses cannot all slip in first); throws RateLimited when
   * this email from this address, or this address over all emails (password spraying), has
   * tried too often. A right password gives the attempt back.
   */
  passwordAttempt(email: string, address: string): Promise<void>;
  passwordSucceeded(email: string, address: string): Promise<void>;
}

export interface LimitOptions {
  apiKeyPerMinute: number;
  loginFailuresPer15Minutes: number;
  /** Wrong passwords one address may try over all emails; default 5× the per-email limit. */
  passwordAttemptsPerAddressPer15Minutes?: number;
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
  const window = 15 * 60;
  const perEmail = limiter('login-fail', options.loginFailuresPer15Minutes, window, options.redis);
  const perAddressPoints = options.passwordAttemptsPerAddressPer15Minutes ?? 5 * options.loginFailuresPer15Minutes;
  const perAddress = limiter('password-spray', perAddressPoints, window, options.redis);
  return {
    async apiKey(keyId) {
      await apiKeys.consume(keyId).catch(refused);
    },
    async passwordAttempt(email, address) {
      await perAddress.consume(address).catch(refused);
      await perEmail.consume(`${email}|${address}`).catch(async (result) => {
        await perAddress.reward(address).catch(() => {});
        refused(result);
      });
    },
    async passwordSucceeded(email, address) {
      await perEmail.delete(`${email}|${address}`).catch(() => {});
      await perAddress.reward(address).catch(() => {});
    },
  };
}
