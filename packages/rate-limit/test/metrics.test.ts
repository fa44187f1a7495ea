import { connectNodeRedis, useFaultyRedis, useRedisTargets } from '@rediware/testing';
import { createRateLimiter } from '../src';

const faulty = useFaultyRedis();

describe.each(useRedisTargets(['memory', 'node-redis', 'ioredis']))(
  'rate limit metrics on $name',
  (target) => {
    beforeEach(() => target.flush());

    it('counts admissions, rejections and block cache hits', async () => {
      const limiter = createRateLimiter({
        redis: target.client(),
        limit: 3,
        window: '1m',
      });
      for (let i = 0; i < 6; i++) await limiter.consume('user');
      // Concurrent callers of another key: each decision is counted exactly once.
      await Promise.all(Array.from({ length: 20 }, () => limiter.consume('burst')));
      await limiter.peek('user');
      // 3 + 3 admitted; 3 + 17 rejected, of which 2 of "user" answered by the block cache.
      const totals = limiter.metrics();
      expect(totals).toMatchObject({ admitted: 6, rejected: 20, failedOpen: 0 });
      expect(totals.blockCacheHits).toBeGreaterThanOrEqual(2);
      await limiter.close();
    });
  },
);

describe('rate limit metrics when Redis fails', () => {
  it('counts every decision that failed open', async () => {
    const limiter = createRateLimiter({
      redis: await connectNodeRedis(faulty.proxy().url),
      limit: 1,
      window: '1m',
      timeout: 200,
    });
    await limiter.consume('k');
    faulty.proxy().stall();
    await Promise.all(Array.from({ length: 5 }, () => limiter.consume('k')));
    expect(limiter.metrics()).toMatchObject({ admitted: 6, rejected: 0, failedOpen: 5 });
    faulty.proxy().pass();
    await limiter.close();
  });
});
