import { setTimeout as sleep } from 'node:timers/promises';
import { useRedisTargets } from '@rediware/testing';
import { createCache } from '../../src';

describe.each(useRedisTargets(['memory', 'node-redis', 'ioredis']))('cache metrics on $name', (target) => {
  beforeEach(() => target.flush());

  it('counts hits, misses, stale reads, coalesced waits, errors and stored bytes', async () => {
    const cache = createCache({ redis: target.client(), ttl: '1m', staleWhileRevalidate: '1m' });
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Ten concurrent callers of one key: one loads, nine wait for it.
    const callers = Array.from({ length: 10 }, () =>
      cache.wrap('product', async () => {
        await slow;
        return { name: 'tea' };
      }),
    );
    release();
    await Promise.all(callers);
    expect(await cache.get('product')).toEqual({ name: 'tea' });
    expect(await cache.get('absent')).toBeUndefined();
    await expect(
      cache.wrap('broken', () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    await cache.set('short', 'x', { ttl: 20 });
    await sleep(60);
    expect(await cache.wrap('short', () => 'y')).toBe('x');
    const totals = cache.metrics();
    expect(totals.coalescedWaits).toBe(9);
    // The nine waiters share the loader's outcome, a miss, as stats() has always counted them.
    expect(totals).toMatchObject({ hits: 1, misses: 11, stale: 1, errors: 1 });
    expect(cache.stats()).toEqual({ hits: 1, misses: 11, stale: 1, errors: 1 });
    // '{"name":"tea"}' and '"x"', plus the background refresh's '"y"' once it lands.
    expect(totals.storedBytes).toBeGreaterThanOrEqual(14 + 3);
    await cache.close();
    expect(cache.metrics().storedBytes).toBe(14 + 3 + 3);
  });

  it('counts the stored bytes of batch writes as of single ones', async () => {
    const cache = createCache({ redis: target.client(), ttl: '1m' });
    await cache.setMany([
      ['a', 'x'],
      ['b', { name: 'tea' }],
    ]);
    // '"x"' and '{"name":"tea"}'
    expect(cache.metrics().storedBytes).toBe(3 + 14);
    await cache.wrapMany(['c', 'd'], (keys) => keys.map((key) => key.toUpperCase()));
    // '"C"' and '"D"'
    expect(cache.metrics().storedBytes).toBe(3 + 14 + 3 + 3);
    await cache.close();
  });
});
