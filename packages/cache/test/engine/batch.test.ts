import { createKeyspace, groupBySlot } from '@rediware/core';
import { type RedisTarget, rejectionOf, scriptCalls, useRedisTargets } from '@rediware/testing';
import type { CacheEvents } from '../../src';
import { useCaches } from '../helpers/open-caches';

const targets = useRedisTargets();
const entryKeys = createKeyspace('rw:', 'cache');

/** `perSlot` keys in each of `slots` cluster slots, so a batch of them has `slots` slot groups. */
function keysInSlots(slots: number, perSlot: number): string[] {
  const candidates = Array.from({ length: 200_000 }, (_, n) => `item-${n}`);
  const groups = groupBySlot(
    candidates.map((key) => entryKeys.key(key, 'e')),
    true,
  ).filter((group) => group.length >= perSlot);
  return groups
    .slice(0, slots)
    .flatMap((group) => group.slice(0, perSlot).map((i) => candidates[i] as string));
}

describe.each(targets)('batch operations on $name', (target: RedisTarget) => {
  const cache = useCaches(target);
  const redisOnly = target.name === 'memory' ? it.skip : it;

  describe('getMany and setMany', () => {
    it('returns values in the order of the keys, undefined for misses, a copy per position', async () => {
      const c = cache();
      await c.setMany([
        ['a', { n: 1 }],
        ['c', 'three'],
        ['{odd key}', [1, 2]],
      ]);
      const values = await c.getMany(['c', 'missing', 'a', '{odd key}', 'a']);
      expect(values).toEqual(['three', undefined, { n: 1 }, [1, 2], { n: 1 }]);
      expect(values[2]).not.toBe(values[4]);
      expect(c.stats()).toEqual({ hits: 3, misses: 1, stale: 0, errors: 0 });
      expect(await c.get('a')).toEqual({ n: 1 });
    });

    it('an empty list returns [] without calling Redis; bad input throws', async () => {
      const c = cache();
      const before = await scriptCalls(target.masters());
      expect(await c.getMany([])).toEqual([]);
      await c.setMany([]);
      expect(await c.wrapMany([], () => [])).toEqual([]);
      expect(c.stats()).toEqual({ hits: 0, misses: 0, stale: 0, errors: 0 });
      expect(await scriptCalls(target.masters())).toBe(before);
      const notArray = 'a' as unknown as string[];
      const badPairs = [['a']] as unknown as [string, unknown][];
      const failures = await Promise.all([
        rejectionOf(c.getMany(notArray)),
        rejectionOf(c.getMany(['a', 1 as unknown as string])),
        rejectionOf(c.setMany(badPairs)),
        rejectionOf(c.wrapMany(['a'], 'no' as never)),
      ]);
      expect(failures.map((failure) => (failure as Error).message)).toEqual([
        expect.stringMatching(/array of string keys/),
        expect.stringMatching(/must be a string/),
        expect.stringMatching(/\[key, value\] pair/),
        expect.stringMatching(/must be a function/),
      ]);
    });

    it('a later pair for a key wins; a ttl of 0 deletes; entries expire after their ttl', async () => {
      const c = cache();
      await c.setMany([
        ['k', 'first'],
        ['k', 'second'],
      ]);
      expect(await c.getMany(['k'])).toEqual(['second']);
      await c.setMany([['k', 'gone']], { ttl: 0 });
      expect(await c.getMany(['k'])).toEqual([undefined]);
      await c.setMany([['short', 1]], { ttl: 100 });
      expect(await c.getMany(['short'])).toEqual([1]);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await c.getMany(['short'])).toEqual([undefined]);
    });

    it('respects tags and namespace versions exactly as get does', async () => {
      const c = cache();
      await c.setMany(
        [
          ['p1', 1],
          ['p2', 2],
        ],
        { tags: ['products'] },
      );
      await c.set('p3', 3, { tags: ['other'] });
      await c.setMany([['n1', 'v']], { namespace: 'ns' });
      expect(await c.getMany(['p1', 'p2', 'p3'])).toEqual([1, 2, 3]);
      await c.invalidate({ tags: ['products'] });
      expect(await c.getMany(['p1', 'p2', 'p3'])).toEqual([undefined, undefined, 3]);
      expect(await c.get('p1')).toBeUndefined();
      expect(await c.getMany(['n1'], { namespace: 'ns' })).toEqual(['v']);
      await c.bumpVersion('ns');
      expect(await c.getMany(['n1'], { namespace: 'ns' })).toEqual([undefined]);
      // An entry setMany wrote after the invalidation is valid again.
      await c.setMany([['p1', 'new']], { tags: ['products'] });
      expect(await c.getMany(['p1', 'p2'])).toEqual(['new', undefined]);
    });

    it('does not cache values over maxValueSize and says so', async () => {
      const c = cache({ maxValueSize: 50 });
      const oversize: CacheEvents['oversize'][0][] = [];
      c.on('oversize', (event) => oversize.push(event));
      await c.set('big', 'old');
      await c.setMany([
        ['big', 'x'.repeat(100)],
        ['small', 'ok'],
      ]);
      expect(await c.getMany(['big', 'small'])).toEqual([undefined, 'ok']);
      expect(oversize).toEqual([{ key: 'big', size: 102, limit: 50 }]);
    });

    redisOnly('reads L1 first: values written through L1 survive a flush of Redis', async () => {
      const c = cache({ l1: true });
      expect(await c.ready()).toBe(true);
      await c.setMany([
        ['a', 1],
        ['b', 2],
      ]);
      await target.flush();
      const before = await scriptCalls(target.masters());
      expect(await c.getMany(['a', 'b'])).toEqual([1, 2]);
      expect(await scriptCalls(target.masters())).toBe(before);
      expect(await c.getMany(['a', 'c'])).toEqual([1, undefined]);
      expect(await scriptCalls(target.masters())).toBe(before + 1);
    });

    redisOnly('another instance sees setMany at once: its L1 is evicted by the batch message', async () => {
      const writer = cache({ l1: true });
      const reader = cache({ l1: true });
      expect(await Promise.all([writer.ready(), reader.ready()])).toEqual([true, true]);
      await writer.setMany([['k', 'v1']]);
      expect(await reader.getMany(['k'])).toEqual(['v1']);
      await writer.setMany([
        ['k', 'v2'],
        ['other', 0],
      ]);
      const deadline = Date.now() + 5_000;
      while ((await reader.getMany(['k']))[0] !== 'v2' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await reader.getMany(['k'])).toEqual(['v2']);
    });
  });

  describe('round trips', () => {
    // 12 keys in 3 slots: 3 slot groups on a cluster, 1 batch on a standalone server.
    const keys = keysInSlots(3, 4);
    const groups = target.cluster ? 3 : 1;

    redisOnly(
      'getMany and setMany send one script per slot group; tags add one for the stamps unless remembered',
      async () => {
        const c = cache();
        await c.setMany([['warm', 1]], { tags: ['t'] });
        await c.getMany(['warm']);
        let before = await scriptCalls(target.masters());
        await c.setMany(keys.map((key, i) => [key, i]));
        expect((await scriptCalls(target.masters())) - before).toBe(groups);
        before = await scriptCalls(target.masters());
        expect(await c.getMany(keys)).toEqual(keys.map((_, i) => i));
        expect((await scriptCalls(target.masters())) - before).toBe(groups);
        // With one tag: on a cluster the stamp is read once for the batch, in its own slot; on a
        // standalone server this instance remembers the version it wrote (the bus is live): no trip.
        await c.setMany(
          keys.map((key) => [key, key]),
          { tags: ['t'] },
        );
        before = await scriptCalls(target.masters());
        expect(await c.getMany(keys)).toEqual(keys);
        expect((await scriptCalls(target.masters())) - before).toBe(target.cluster ? groups + 1 : groups);
      },
    );

    redisOnly('wrapMany on cold keys: one read and one write per slot group, one loadMany call', async () => {
      const c = cache();
      await c.wrapMany(['warm'], (missing) => missing);
      const calls: string[][] = [];
      const before = await scriptCalls(target.masters());
      const values = await c.wrapMany(keys, (missing) => {
        calls.push(missing);
        return missing.map((key) => `v:${key}`);
      });
      expect(values).toEqual(keys.map((key) => `v:${key}`));
      expect(calls).toEqual([keys]);
      expect((await scriptCalls(target.masters())) - before).toBe(2 * groups);
    });
  });

  describe('wrapMany', () => {
    it('loads only the misses, once, and keeps the order of the keys', async () => {
      const c = cache();
      await c.setMany([['b', 'cached']]);
      const calls: string[][] = [];
      const load = async (missing: string[]) => {
        calls.push(missing);
        return new Map(missing.map((key) => [key, `loaded:${key}`]));
      };
      expect(await c.wrapMany(['a', 'b', 'c', 'a'], load)).toEqual([
        'loaded:a',
        'cached',
        'loaded:c',
        'loaded:a',
      ]);
      expect(calls).toEqual([['a', 'c']]);
      expect(await c.wrapMany(['c', 'a', 'b'], load)).toEqual(['loaded:c', 'loaded:a', 'cached']);
      expect(calls).toHaveLength(1);
      expect(c.stats()).toEqual({ hits: 4, misses: 2, stale: 0, errors: 0 });
    });

    it('undefined results are returned and not cached; null is cached', async () => {
      const c = cache();
      let calls = 0;
      const load = (missing: string[]) => {
        calls++;
        return missing.map((key) => (key === 'none' ? undefined : null));
      };
      expect(await c.wrapMany(['none', 'null'], load)).toEqual([undefined, null]);
      expect(await c.wrapMany(['none', 'null'], load)).toEqual([undefined, null]);
      expect(calls).toBe(2);
      expect(await c.getMany(['null', 'none'])).toEqual([null, undefined]);
    });

    it('concurrent overlapping calls (and wrap) load every key once', async () => {
      const c = cache();
      const loaded: string[] = [];
      const load = async (missing: string[]) => {
        loaded.push(...missing);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return missing.map((key) => `v:${key}`);
      };
      const batches = Array.from({ length: 30 }, (_, i) => [
        `k${i % 10}`,
        `k${(i + 3) % 10}`,
        `k${(i * 7) % 10}`,
      ]);
      const results = await Promise.all([
        ...batches.map((batch) => c.wrapMany(batch, load)),
        c.wrap('k5', () => load(['k5']).then(([value]) => value)),
      ]);
      expect(results.slice(0, 30)).toEqual(batches.map((batch) => batch.map((key) => `v:${key}`)));
      expect(results[30]).toBe('v:k5');
      expect([...loaded].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
    });

    it('an entry invalidated by its tag is loaded again', async () => {
      const c = cache();
      let version = 1;
      const load = (missing: string[]) => missing.map((key) => `${key}@${version}`);
      expect(await c.wrapMany(['a', 'b'], load, { tags: ['t'] })).toEqual(['a@1', 'b@1']);
      version = 2;
      expect(await c.wrapMany(['a', 'b'], load, { tags: ['t'] })).toEqual(['a@1', 'b@1']);
      await c.invalidate({ tags: ['t'] });
      expect(await c.wrapMany(['a', 'b'], load, { tags: ['t'] })).toEqual(['a@2', 'b@2']);
    });

    it('an invalidation during loadMany, the stamp missing when it started, stores none of its values', async () => {
      const c = cache();
      const values = await c.wrapMany(
        ['a', 'b'],
        async (missing) => {
          await c.invalidate({ tags: ['cold'] });
          return missing.map((key) => `${key}@before`);
        },
        { tags: ['cold'] },
      );
      expect(values).toEqual(['a@before', 'b@before']);
      expect(await c.getMany(['a', 'b'])).toEqual([undefined, undefined]);
      const again = await c.wrapMany(['a', 'b'], (missing) => missing.map((key) => `${key}@after`), {
        tags: ['cold'],
      });
      expect(again).toEqual(['a@after', 'b@after']);
      expect(await c.getMany(['a', 'b'])).toEqual(['a@after', 'b@after']);
    });

    it('a failing loadMany rejects, reports each key and caches nothing; a wrong shape is an error', async () => {
      const c = cache();
      const errors: CacheEvents['loaderError'][0][] = [];
      c.on('loaderError', (event) => errors.push(event));
      const failure = await rejectionOf(
        c.wrapMany(['a', 'b'], () => {
          throw new Error('db down');
        }),
      );
      expect(failure).toMatchObject({ message: 'db down' });
      expect(errors.map((event) => [event.key, event.servedStale])).toEqual([
        ['a', false],
        ['b', false],
      ]);
      const shape = await rejectionOf(c.wrapMany(['a', 'b'], () => ['only one']));
      expect(shape).toMatchObject({ message: expect.stringMatching(/array of 2 values/) });
      // The locks were given back: the next call loads at once.
      expect(await c.wrapMany(['a', 'b'], (missing) => missing)).toEqual(['a', 'b']);
    });

    it('serves stale values and refreshes them once in the background', async () => {
      const c = cache({ ttl: 100, staleWhileRevalidate: '1m' });
      let version = 1;
      const calls: string[][] = [];
      const load = (missing: string[], context: { refreshing: boolean }) => {
        calls.push([...missing, String(context.refreshing)]);
        return missing.map((key) => `${key}@${version}`);
      };
      await c.wrapMany(['a', 'b'], load);
      version = 2;
      await new Promise((resolve) => setTimeout(resolve, 150));
      const stale = await Promise.all([c.wrapMany(['a', 'b'], load), c.wrapMany(['b', 'a'], load)]);
      expect(stale).toEqual([
        ['a@1', 'b@1'],
        ['b@1', 'a@1'],
      ]);
      const deadline = Date.now() + 5_000;
      while ((await c.getMany(['a']))[0] !== 'a@2' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await c.getMany(['a', 'b'])).toEqual(['a@2', 'b@2']);
      expect(calls).toEqual([
        ['a', 'b', 'false'],
        ['a', 'b', 'true'],
      ]);
    });
  });
});
