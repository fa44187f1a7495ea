import type { FailureEvent } from '@rediware/core';
import {
  connectIoredis,
  connectNodeRedis,
  redisCommand,
  timed,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import { createCache, type WriteBehindWrite } from '../../src';

const faulty = useFaultyRedis();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;

describe('write-behind when Redis fails', () => {
  // A write that timed out may still land once Redis answers again: no test sees another's.
  beforeEach(() => redisCommand(faulty.server(), ['FLUSHALL']));

  it('Redis stalled: writeBehind rejects within the timeout and leaves the cache as it was', async () => {
    const cache = createCache({ redis: await connectNodeRedis(faulty.proxy().url), ttl: '1m', timeout });
    const failures: FailureEvent[] = [];
    cache.on('failure', (event) => failures.push(event));
    await cache.writeBehind('k', 'v1');
    faulty.proxy().stall();
    const write = await timed(cache.writeBehind('k', 'v2'));
    expect(write.error).toMatchObject({ code: 'ERR_RW_REDIS_TIMEOUT' });
    expect(write.elapsed).toBeLessThan(timeout + margin);
    expect(failures[0]).toMatchObject({ operation: 'writeBehind', failedOpen: false });
    faulty.proxy().pass();
    await waitFor(async () => (await cache.get('k')) === 'v1');
    await cache.close();
  });

  it('a worker reports Redis failures, keeps going, flushes everything once Redis is back, and stops', async () => {
    const cache = createCache({ redis: await connectIoredis(faulty.proxy().url), ttl: '1m', timeout });
    const failures: FailureEvent[] = [];
    cache.on('failure', (event) => failures.push(event));
    const database = new Map<string, unknown>();
    const flush = async (writes: readonly WriteBehindWrite[]) => {
      for (const write of writes) database.set(write.key, write.value);
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.writeBehind(`k${i}`, i)));
    faulty.proxy().stall();
    const worker = cache.startWriteBehind({ flush, maxDelay: 20 });
    await waitFor(() => failures.some((event) => event.operation === 'writeBehind drain'));
    expect(database.size).toBe(0);
    faulty.proxy().pass();
    await waitFor(() => database.size === 20);
    expect([...database.keys()].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
    faulty.proxy().stall();
    const stopped = await timed(worker.stop());
    expect(stopped.elapsed).toBeLessThan(3 * timeout + margin);
    faulty.proxy().pass();
    await cache.close();
  });
});
