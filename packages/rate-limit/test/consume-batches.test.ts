import { commandCalls, scriptsRun, useRedisTargets } from '@rediware/testing';
import type { Algorithm } from '../src';
import { maxBatchSize } from '../src/consume-batches';
import { resetCommandStats, useRedisLimiters } from './redis-limiters';

const algorithms: Algorithm[] = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'];

/** Concurrent consumes of one key share script calls, and each still gets its own exact decision. */
describe.each(useRedisTargets(['node-redis', 'ioredis', 'ioredis-cluster']))(
  'consume batches on $name',
  (target) => {
    const limiters = useRedisLimiters(target);
    const limiter = (algorithm: Algorithm, limit: number) => limiters(algorithm, limit, '1h');

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
        expect(await scriptsRun(target.masters())).toBeLessThanOrEqual(Math.ceil(300 / maxBatchSize));
      },
    );

    it.each(['fixed-window', 'sliding-window', 'token-bucket'] as const)(
      '%s: a call reads a hot key once and writes it once, however many consumes it decides',
      async (algorithm) => {
        const rl = limiter(algorithm, 100);
        await rl.consume('hot');
        await resetCommandStats(target);
        const results = await Promise.all(Array.from({ length: 20 }, () => rl.consume('hot')));
        expect(results.map((r) => r.remaining).sort((a, b) => b - a)).toEqual(
          Array.from({ length: 20 }, (_, i) => 98 - i),
        );
        const runs = await scriptsRun(target.masters());
        const calls = await commandCalls(target.masters());
        expect(runs).toBeLessThan(20);
        expect(calls.get('get')).toBe(runs);
        expect(calls.get('set')).toBe(runs);
        expect(calls.get('pttl') ?? 0).toBeLessThanOrEqual(runs);
        expect(calls.get('incrby')).toBeUndefined();
        // Written once, the state holds every admission: 79 more fit, the 80th does not.
        const rest = await Promise.all(Array.from({ length: 80 }, () => rl.consume('hot')));
        expect(rest.filter((r) => r.allowed)).toHaveLength(79);
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
      expect(await scriptsRun(target.masters())).toBe(2);
      expect((await rl.consume('a')).remaining).toBe(7);
    });
  },
);
