import type { FailureEvent } from '@rediware/core';
import {
  closeClient,
  connectIoredis,
  connectNodeRedis,
  rejectionOf,
  startRedis,
  timed,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import { type Cache, createCache } from '../../src';

const faulty = useFaultyRedis();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;

function watch(cache: Cache): FailureEvent[] {
  const failures: FailureEvent[] = [];
  cache.on('failure', (event) => failures.push(event));
  return failures;
}

describe('cache fail policy', () => {
  it('Redis stalled: wrap runs the loader within the timeout, get misses, set resolves, all reported', async () => {
    const cache = createCache({ redis: await connectNodeRedis(faulty.proxy().url), ttl: '1m', timeout });
    const failures = watch(cache);
    await cache.set('k', 'cached');
    expect(await cache.get('k')).toBe('cached');
    faulty.proxy().stall();
    let calls = 0;
    const wrapped = await timed(
      Promise.all(Array.from({ length: 20 }, () => cache.wrap('k', async () => `loaded ${++calls}`))),
    );
    expect(wrapped.elapsed).toBeLessThan(timeout + margin);
    // One flight per key and process, even without Redis.
    expect(wrapped.value).toEqual(Array.from({ length: 20 }, () => 'loaded 1'));
    const got = await timed(cache.get('k'));
    expect(got).toMatchObject({ value: undefined });
    expect(got.elapsed).toBeLessThan(timeout + margin);
    const set = await timed(cache.set('k', 'new'));
    expect(set.error).toBeUndefined();
    expect(set.elapsed).toBeLessThan(2 * timeout + margin);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.find((event) => event.operation === 'wrap')).toMatchObject({
      failedOpen: true,
      error: { code: 'ERR_RW_REDIS_TIMEOUT' },
    });
    expect(cache.stats().errors).toBeGreaterThanOrEqual(3);
    faulty.proxy().pass();
    await waitFor(
      async () => (await cache.wrap('k2', () => 'back')) === 'back' && (await cache.get('k2')) === 'back',
    );
    await cache.close();
  });

  it('Redis stalled: delete, invalidate and bumpVersion reject within the timeout', async () => {
    const cache = createCache({ redis: await connectIoredis(faulty.proxy().url), ttl: '1m', timeout });
    const failures = watch(cache);
    faulty.proxy().stall();
    for (const work of [cache.delete('k'), cache.invalidate({ tags: ['t'] }), cache.bumpVersion('ns')]) {
      const result = await timed(rejectionOf(work));
      expect(result.value).toMatchObject({ code: 'ERR_RW_REDIS_TIMEOUT' });
      expect(result.elapsed).toBeLessThan(timeout + margin);
    }
    expect(failures.filter((event) => !event.failedOpen)).toHaveLength(3);
    faulty.proxy().pass();
    await cache.close();
  });

  it('a caller waiting for a slow loader in another instance loads itself after lockWait', async () => {
    const redis = await connectIoredis(faulty.proxy().url);
    const holder = createCache({ redis, ttl: '1m', timeout });
    const waiter = createCache({ redis, ttl: '1m', timeout, lockWait: 300 });
    let release: ((value: string) => void) | undefined;
    // The holder takes the lock, then its loader hangs until released.
    const slow = holder.wrap('wait-key', () => new Promise<string>((resolve) => (release = resolve)));
    await waitFor(() => release !== undefined);
    const result = await timed(waiter.wrap('wait-key', () => 'impatient'));
    expect(result.value).toBe('impatient');
    expect(result.elapsed).toBeLessThan(300 + margin);
    release?.('slow');
    expect(await slow).toBe('slow');
    await Promise.all([holder.close(), waiter.close()]);
  });

  it('Redis refusing connections: stale-if-error serves L1 when the loader fails too', async () => {
    const cache = createCache({
      redis: await connectNodeRedis(faulty.proxy().url),
      ttl: 100,
      staleIfError: '1m',
      timeout,
      l1: true,
    });
    watch(cache);
    expect(await cache.ready()).toBe(true);
    expect(await cache.wrap('sie-key', () => 'v1')).toBe('v1');
    await waitFor(async () => (await cache.get('sie-key')) === undefined);
    faulty.proxy().refuse();
    const result = await timed(
      cache.wrapWithStatus('sie-key', () => {
        throw new Error('db down too');
      }),
    );
    expect(result.value).toMatchObject({ value: 'v1', status: 'stale' });
    expect(result.elapsed).toBeLessThan(timeout + margin);
    faulty.proxy().pass();
    await cache.close();
  });

  it('Redis stopped: wrap fails open, get misses, set resolves', async () => {
    const server = await startRedis();
    // node-redis: an ioredis client left on a stopped server keeps jest from exiting (harness issue).
    const redis = await connectNodeRedis(server.url);
    const cache = createCache({ redis, ttl: '1m', timeout });
    const failures = watch(cache);
    await cache.set('k', 'v');
    expect(await cache.ready()).toBe(true);
    await server.stop();
    const wrapped = await timed(cache.wrap('k', () => 'from the database'));
    expect(wrapped).toMatchObject({ value: 'from the database' });
    expect(wrapped.elapsed).toBeLessThan(timeout + margin);
    expect(await cache.get('k')).toBeUndefined();
    await expect(cache.set('k', 'x')).resolves.toBeUndefined();
    expect(failures.every((event) => event.error.statusCode === 503)).toBe(true);
    expect(failures.length).toBeGreaterThanOrEqual(3);
    await cache.close();
    await closeClient(redis);
  });
});
