import { redisCommand, useRedisTargets } from '@rediware/testing';
import { type Algorithm, createRateLimiter, type RateLimiter } from '../src';
import { maxBatchSize } from '../src/consume-batches';

const algorithms: Algorithm[] = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'];

/** Concurrent consumes of one key share script calls, and each still gets its own exact decision. */
describe.each(useRedisTargets(['node-redis', 'ioredis', 'ioredis-cluster']))(
  'consume batches on $name',
  (target) => {
    const limiters: RateLimiter[] = [];
    function limiter(algorithm: Algorithm, limit: number): RateLimiter {
      const created = createRateLimiter({
        redis: target.client(),
        prefix: 'rwtest:',
        algorithm,
        limit,
        window: '1h',
        blockCache: false,
      });
      limiters.push(created);
      return created;
    }
    /** Scripts Redis ran: EVAL and EVALSHA, less the EVALSHA answered NOSCRIPT (then sent as EVAL). */
    async function scriptCalls(): Promise<number> {
      let calls = 0;
      for (const master of target.masters()) {
        const stats = String(await redisCommand(master, ['INFO', 'commandstats']));
        for (const [, name, count, failed] of stats.matchAll(
          /cmdstat_(evalsha|eval):calls=(\d+),.*failed_calls=(\d+)/g,
        ))
          calls += Number(count) - (name === 'evalsha' ? Number(failed) : 0);
      }
      return calls;
    }
    beforeEach(async () => {
      await target.flush();
      await Promise.all(target.masters().map((master) => redisCommand(master, ['CONFIG', 'RESETSTAT'])));
    });
    afterEach(async () => {
      await Promise.all(limiters.splice(0).map((l) => l.close()));
    });

    it.each(algorithms)(
      '%s: 300 concurrent consumes of one key are a few script calls, each its own decision',
      async (algorithm) => {
        const rl = limiter(algorithm, 100);
        const results = await Promise.all(Array.from({ length: 300 }, () => rl.consume('hot')));
        const admitted = results.filter((r) => r.allowed);
        expect(admitted).toHaveLength(100);
        // Every admitted request saw the room it left: 99, 98, ... 0, once each.
        expect(admitted.map((r) => r.remaining).sort((a, b) => b - a)).toEqual(
          Array.from({ length: 100 }, (_, i) => 99 - i),
        );
        for (const rejected of results.filter((r) => !r.allowed)) {
          expect(rejected.remaining).toBe(0);
          expect(rejected.retryAfterMs).toBeGreaterThan(0);
        }
        expect(await scriptCalls()).toBeLessThanOrEqual(Math.ceil(300 / maxBatchSize));
      },
    );

    it('keys and costs are batched apart; a cost that no longer fits leaves room for a smaller one', async () => {
      const rl = limiter('fixed-window', 10);
      const results = await Promise.all([
        rl.consume('a', 4),
        rl.consume('a', 4),
        rl.consume('a', 4),
        rl.consume('a', 1),
        rl.consume('a', 1),
        rl.consume('b', 1),
      ]);
      expect(results.map((r) => r.allowed)).toEqual([true, true, false, true, true, true]);
      expect((await rl.peek('a')).remaining).toBe(0);
      expect((await rl.peek('b')).remaining).toBe(9);
    });

    it('consumes in different turns are separate calls', async () => {
      const rl = limiter('fixed-window', 10);
      await rl.consume('a');
      await rl.consume('a');
      expect(await scriptCalls()).toBe(2);
      expect((await rl.consume('a')).remaining).toBe(7);
    });
  },
);
