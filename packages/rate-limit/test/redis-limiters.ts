import type { Duration } from '@rediware/core';
import { type RedisTarget, redisCommand } from '@rediware/testing';
import { type Algorithm, createRateLimiter, type RateLimiter } from '../src';

/** CONFIG RESETSTAT on every master: INFO commandstats counts from here. */
export async function resetCommandStats(target: RedisTarget): Promise<void> {
  await Promise.all(target.masters().map((master) => redisCommand(master, ['CONFIG', 'RESETSTAT'])));
}

/**
 * For one describe block on a Redis target: each test starts on an empty server with fresh
 * command stats, and every limiter it made is closed after it. Limiters have no block cache, so
 * every consume reaches Redis.
 */
export function useRedisLimiters(
  target: RedisTarget,
): (algorithm: Algorithm, limit: number, window: Duration) => RateLimiter {
  const limiters: RateLimiter[] = [];
  beforeEach(async () => {
    await target.flush();
    await resetCommandStats(target);
  });
  afterEach(async () => {
    await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
  });
  return (algorithm, limit, window) => {
    const created = createRateLimiter({
      redis: target.client(),
      prefix: 'rwtest:',
      algorithm,
      limit,
      window,
      blockCache: false,
    });
    limiters.push(created);
    return created;
  };
}
