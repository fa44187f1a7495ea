import { createBackend, groupBySlot, RedisTimeoutError } from '@rediware/core';
import {
  faultyClient,
  redisCommand,
  rejectionOf,
  scriptCalls,
  useFaultyRedis,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import { createLocker, LockBusyError, type Locker } from '../src';
import { createLockKeys } from '../src/lock-keys';
import { LockOps } from '../src/lock-ops';

// The acquires and releases started in one event-loop turn share one script call, run in the
// order they were started: the same decisions as separate calls, for one script's fixed cost.

describe.each(useRedisTargets())('lock operations of one turn on $name', (target) => {
  let locker: Locker;

  beforeEach(async () => {
    await target.flush();
    locker = createLocker({ redis: target.client(), timeout: '2s', retryInterval: '30s' });
    // Loads the script, so the calls counted below are EVALSHA only.
    await (await locker.acquire('warm-up', { ttl: '10s' })).release();
  });
  afterEach(() => locker.close());

  it('takes and releases many keys with one script call per turn (per slot on a cluster)', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `order:${i}`);
    const before = await scriptCalls(target.masters());
    const locks = await Promise.all(keys.map((key) => locker.acquire(key, { ttl: '10s' })));
    // Fresh counters start at the clock in microseconds: above any token Redis gave before.
    for (const lock of locks) expect(lock.fencingToken).toBeGreaterThan(1e15);
    const acquired = await scriptCalls(target.masters());
    expect(await Promise.all(locks.map((lock) => lock.release()))).toEqual(keys.map(() => true));
    const released = await scriptCalls(target.masters());
    if (target.name === 'memory') return;
    // Each key is its own hash tag: one call per slot the keys fall in.
    const calls = groupBySlot(keys, target.cluster).length;
    expect(acquired - before).toBe(calls);
    expect(released - acquired).toBe(calls);
  });

  it('decides the operations of one turn in the order they were started', async () => {
    const contenders = await Promise.allSettled(
      Array.from({ length: 12 }, () => locker.acquire('hot', { ttl: '10s' })),
    );
    const held = contenders.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(held).toHaveLength(1);
    for (const result of contenders) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(LockBusyError);
    }
    expect(contenders[0]?.status).toBe('fulfilled');
    // Released and taken again in one turn: the release runs first, so the acquire finds it free.
    const holder = held[0] as (typeof held)[number];
    const [released, next, busy] = await Promise.all([
      holder.release(),
      locker.acquire('hot', { ttl: '10s' }),
      rejectionOf(locker.acquire('hot', { ttl: '10s' })),
    ]);
    expect(released).toBe(true);
    expect(next.fencingToken).toBe(holder.fencingToken + 1);
    expect(busy).toBeInstanceOf(LockBusyError);
    await next.release();
  });
});

describe.each(['ioredis', 'node-redis'] as const)(
  'a lock-ops call that Redis ran after its deadline, on %s',
  (client) => {
    const faulty = useFaultyRedis();

    it('releases the locks it took: nobody holds them', async () => {
      const backend = createBackend({
        redis: await faultyClient(faulty, client),
        timeout: 200,
        packageName: 'test',
      });
      const ops = new LockOps(backend);
      const target = createLockKeys('rwlate:')('order:late');
      // Loads the script: a NOSCRIPT reply after the deadline would not send it.
      await ops.release(target.holders, 'owner-0');
      faulty.proxy().stall();
      // Written to the socket, then given up on: the client cannot drop it any more.
      const error = await rejectionOf(ops.acquire(target.redisKeys, 'owner-1', 30_000, 1));
      expect(error).toBeInstanceOf(RedisTimeoutError);
      faulty.proxy().pass(); // Redis runs it now, and takes the lock for an owner nobody is.
      const holder = target.holders[0] as string;
      await waitFor(async () => (await redisCommand(faulty.server(), ['EXISTS', holder])) === 0);
      await backend.close();
    });
  },
);
