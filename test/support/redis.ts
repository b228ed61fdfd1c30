import { Redis } from 'ioredis';

/** The Redis the multi-instance and fault tests use (the machine's, at 127.0.0.1:6379, by default). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether that Redis answers; under CI=true an unreachable one is an error, not a skip. */
export async function redisReachable(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`Redis for tests is unreachable at ${TEST_REDIS_URL} (set TEST_REDIS_URL).`);
    return false;
  } finally {
    redis.disconnect();
  }
}
