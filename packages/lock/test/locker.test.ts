import { createHook } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupBySlot, RediwareConfigError } from '@rediware/core';
import { onOwner, redisCommand, rejectionOf, useRedisTargets, waitFor } from '@rediware/testing';
import {
  createLocker,
  type Lock,
  LockAbortedError,
  LockBusyError,
  type Locker,
  LockLostError,
  type LockLostEvent,
  LockTimeoutError,
} from '../src';

describe.each(useRedisTargets())('locker on $name', (target) => {
  let locker: Locker;
  let other: Locker;

  beforeEach(async () => {
    await target.flush();
    // retryInterval far above every bound below: a waiter that acquires in time was woken by a
    // release message or by the holder's known expiry, never by the fallback interval.
    locker = createLocker({ redis: target.client(), timeout: '2s', retryInterval: '30s' });
    other =
      target.name === 'memory'
        ? locker
        : createLocker({ redis: target.client(), timeout: '2s', retryInterval: '30s' });
  });
  afterEach(async () => {
    await locker.close();
    if (other !== locker) await other.close();
  });

  it('gives one holder at a time, with fencing tokens that increase per key', async () => {
    const first = await locker.acquire('order:1', { ttl: '10s' });
    expectSeeded(first.fencingToken);
    expect(first.key).toBe('order:1');
    const busy = await rejectionOf(other.acquire('order:1', { ttl: '10s' }));
    expect(busy).toBeInstanceOf(LockBusyError);
    expect((busy as LockBusyError).retryAfterMs).toBeGreaterThan(5_000);
    expect((busy as LockBusyError).retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(await first.release()).toBe(true);
    const second = await other.acquire('order:1', { ttl: '10s' });
    expect(second.fencingToken).toBe(first.fencingToken + 1);
    const elsewhere = await locker.acquire('order:2', { ttl: '10s' });
    expectSeeded(elsewhere.fencingToken);
    await Promise.all([second.release(), elsewhere.release()]);
  });

  it('frees every lock it still holds when closed, and no other holder’s', async () => {
    // Another process's view; the memory backend has none (its lockers share nothing).
    if (target.name === 'memory') return;
    const held = await Promise.all(
      Array.from({ length: 30 }, (_, i) => locker.acquire(`held:${i}`, { ttl: '30s' })),
    );
    // Some released before the close, and one whose release is still on its way when it starts.
    await Promise.all(held.slice(0, 10).map((lock) => lock.release()));
    const taken = await other.acquire('held:0', { ttl: '30s' });
    const releasing = (held[10] as Lock).release();
    await locker.close();
    expect(await releasing).toBe(true);
    for (let i = 1; i < 30; i++) {
      const again = await other.acquire(`held:${i}`, { ttl: '1s' });
      await again.release();
    }
    await expect(other.acquire('held:0', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    await taken.release();
  });

  it('never releases twice and never deletes the next holder’s lock', async () => {
    const stale = await locker.acquire('job', { ttl: 150, autoExtend: false });
    await waitFor(() => stale.signal.aborted);
    // The signal aborts a little before Redis expires the key (clock drift allowance): wait for it.
    const next = await other.acquire('job', { ttl: '10s', wait: '5s' });
    expect(await stale.release()).toBe(false);
    expect(await stale.release()).toBe(false);
    await expect(locker.acquire('job', { ttl: '10s' })).rejects.toBeInstanceOf(LockBusyError);
    expect(next.fencingToken).toBeGreaterThan(stale.fencingToken);
    const first = next.release();
    expect(next.release()).toBe(first);
    expect(await first).toBe(true);
    expect(await next.release()).toBe(true);
    await (await locker.acquire('job', { ttl: '10s' })).release();
  });

  it('keeps mutual exclusion and fencing order with many concurrent waiters', async () => {
    let inside = 0;
    let overlaps = 0;
    const tokens: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? locker : other).withLock('hot', { ttl: '5s', wait: '20s' }, async (lock) => {
          inside++;
          if (inside > 1) overlaps++;
          tokens.push(lock.fencingToken);
          await sleep(1);
          inside--;
        }),
      ),
    );
    expect(overlaps).toBe(0);
    expect(tokens).toHaveLength(40);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(40);
  });

  it('wakes a waiter by the release message, long before its fallback retry', async () => {
    const holder = await locker.acquire('handoff', { ttl: '20s' });
    const waiting = other.acquire('handoff', { ttl: '20s', wait: '25s' });
    await sleep(100);
    const releasedAt = Date.now();
    await holder.release();
    const next = await waiting;
    // The holder's ttl (20 s) and the fallback (30 s) are far away: only the message woke it.
    expect(Date.now() - releasedAt).toBeLessThan(5_000);
    expect(next.fencingToken).toBe(holder.fencingToken + 1);
    await next.release();
  });

  it('hands the lock to a waiter when the holder expires without releasing', async () => {
    const holder = await locker.acquire('crashed', { ttl: 300, autoExtend: false });
    const next = await other.acquire('crashed', { ttl: '10s', wait: '20s' });
    expect(holder.signal.aborted).toBe(true);
    expect(next.fencingToken).toBeGreaterThan(holder.fencingToken);
    await next.release();
  });

  it('fails fast with wait: 0, and with LockTimeoutError once the wait is over', async () => {
    const holder = await locker.acquire('slow', { ttl: '20s' });
    const started = Date.now();
    const timeout = await rejectionOf(other.acquire('slow', { ttl: '1s', wait: 300 }));
    expect(timeout).toBeInstanceOf(LockTimeoutError);
    expect(timeout).not.toBeInstanceOf(LockBusyError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(300 + 2_000);
    expect((timeout as LockTimeoutError).retryAfterMs).toBeGreaterThan(10_000);
    expect((timeout as LockTimeoutError).code).toBe('ERR_RW_LOCK_TIMEOUT');
    await holder.release();
  });

  it('cancels a wait with an AbortSignal', async () => {
    const holder = await locker.acquire('cancel', { ttl: '20s' });
    const controller = new AbortController();
    const waiting = rejectionOf(
      other.acquire('cancel', { ttl: '1s', wait: '20s', signal: controller.signal }),
    );
    await sleep(50);
    controller.abort(new Error('user gave up'));
    const error = await waiting;
    expect(error).toBeInstanceOf(LockAbortedError);
    expect((error as LockAbortedError).cause).toEqual(new Error('user gave up'));
    await expect(other.acquire('cancel', { ttl: '1s', signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      LockAbortedError,
    );
    await holder.release();
  });

  it('extends a held lock automatically while the holder works', async () => {
    const holder = await locker.acquire('long-job', { ttl: 300 });
    await sleep(1_000);
    expect(holder.signal.aborted).toBe(false);
    await expect(other.acquire('long-job', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    expect(await holder.release()).toBe(true);
  });

  it('aborts the signal and emits lost when the lock runs out', async () => {
    const lost: LockLostEvent[] = [];
    locker.on('lost', (event) => lost.push(event));
    const holder = await locker.acquire('short', { ttl: 200, autoExtend: false });
    await waitFor(() => holder.signal.aborted);
    expect(holder.signal.reason).toBeInstanceOf(LockLostError);
    expect(lost).toEqual([expect.objectContaining({ key: 'short', fencingToken: holder.fencingToken })]);
    await expect(holder.extend()).rejects.toBeInstanceOf(LockLostError);
  });

  it('runs the expiry and extension of many held locks on a few timers, each still on time', async () => {
    let timeouts = 0;
    const hook = createHook({
      init: (_id, type) => {
        if (type === 'Timeout') timeouts++;
      },
    }).enable();
    let extended: Lock[];
    let expiring: Lock[];
    try {
      extended = await Promise.all(
        Array.from({ length: 40 }, (_, i) => locker.acquire(`many:${i}`, { ttl: 300 })),
      );
      expiring = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          locker.acquire(`brief:${i}`, { ttl: 150 + 5 * i, autoExtend: false }),
        ),
      );
    } finally {
      hook.disable();
    }
    // A timer per lock would be 120 (two per auto-extended lock, one per other lock).
    expect(timeouts).toBeLessThan(20);
    await waitFor(() => expiring.every((lock) => lock.signal.aborted));
    await sleep(700);
    expect(extended.some((lock) => lock.signal.aborted)).toBe(false);
    await expect(other.acquire('many:7', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    expect(await Promise.all(extended.map((lock) => lock.release()))).toEqual(extended.map(() => true));
  });

  it('extends by hand, to the given ttl', async () => {
    const holder = await locker.acquire('manual', { ttl: 200, autoExtend: false });
    await holder.extend('5s');
    expect(holder.remainingMs).toBeGreaterThan(3_000);
    await sleep(400);
    expect(holder.signal.aborted).toBe(false);
    await expect(other.acquire('manual', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    await holder.release();
    await expect(holder.extend()).rejects.toBeInstanceOf(LockLostError);
  });

  it('withLock returns the result, releases on success and on error, and reports a lost lock', async () => {
    const first = await locker.withLock('w', { ttl: '5s' }, (lock) => lock.fencingToken);
    await expect(
      locker.withLock('w', { ttl: '5s' }, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const lost = await rejectionOf(
      locker.withLock('w', { ttl: 150, autoExtend: false }, async (lock) => {
        await waitFor(() => lock.signal.aborted);
        return 'done too late';
      }),
    );
    expect(lost).toBeInstanceOf(LockLostError);
    const last = await other.acquire('w', { ttl: '1s', wait: '5s' });
    expect(last.fencingToken).toBe(first + 3);
    await last.release();
  });

  it('semaphore mode admits up to limit holders per key', async () => {
    const holders = await Promise.all([1, 2, 3].map(() => locker.acquire('pool', { ttl: '10s', limit: 3 })));
    const [lowest = 0] = holders.map((lock) => lock.fencingToken).sort((a, b) => a - b);
    expect(holders.map((lock) => lock.fencingToken - lowest).sort()).toEqual([0, 1, 2]);
    const full = await rejectionOf(other.acquire('pool', { ttl: '10s', limit: 3 }));
    expect(full).toBeInstanceOf(LockBusyError);
    // A mutex caller on the same key is busy too.
    await expect(other.acquire('pool', { ttl: '10s' })).rejects.toBeInstanceOf(LockBusyError);
    const waiting = other.acquire('pool', { ttl: '10s', limit: 3, wait: '20s' });
    expect(await holders[1]?.release()).toBe(true);
    const fourth = await waiting;
    expect(fourth.fencingToken).toBe(lowest + 3);
    await expect(other.acquire('pool', { ttl: '10s', limit: 3 })).rejects.toBeInstanceOf(LockBusyError);
    await Promise.all([holders[0]?.release(), holders[2]?.release(), fourth.release()]);
    const mutex = await other.acquire('pool', { ttl: '10s' });
    await expect(locker.acquire('pool', { ttl: '10s', limit: 3 })).rejects.toBeInstanceOf(LockBusyError);
    await mutex.release();
  });

  it('semaphore slots of holders that expired are free again, and extension keeps a slot', async () => {
    const gone = await locker.acquire('pool2', { ttl: 150, limit: 2, autoExtend: false });
    const kept = await locker.acquire('pool2', { ttl: 300, limit: 2 });
    await waitFor(() => gone.signal.aborted);
    const next = await other.acquire('pool2', { ttl: '10s', limit: 2, wait: '5s' });
    await sleep(500);
    expect(kept.signal.aborted).toBe(false);
    await expect(other.acquire('pool2', { ttl: '10s', limit: 2 })).rejects.toBeInstanceOf(LockBusyError);
    expect(await gone.release()).toBe(false);
    expect(await kept.release()).toBe(true);
    expect(await next.release()).toBe(true);
  });

  it('locks several keys of one hash tag all or nothing, with one fencing token above each', async () => {
    const items = await locker.acquire('{order:7}:items', { ttl: '10s' });
    await locker.withLock('{order:7}:payment', { ttl: '10s' }, () => {});
    await locker.withLock('{order:7}:payment', { ttl: '10s' }, () => {});
    await expect(
      other.acquire(['{order:7}:payment', '{order:7}:items'], { ttl: '10s' }),
    ).rejects.toBeInstanceOf(LockBusyError);
    // All or nothing: the free key was not taken by the failed attempt.
    // The keys of one hash tag share their slot's counter: items t, payment t + 1 and t + 2, now t + 3.
    const payment = await other.acquire('{order:7}:payment', { ttl: '10s' });
    expect(payment.fencingToken).toBe(items.fencingToken + 3);
    await payment.release();
    await items.release();
    const both = await other.acquire(['{order:7}:payment', '{order:7}:items'], { ttl: '10s' });
    expect(both.keys).toEqual(['{order:7}:payment', '{order:7}:items']);
    expect(both.fencingToken).toBe(items.fencingToken + 4);
    await expect(locker.acquire('{order:7}:items', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    expect(await both.release()).toBe(true);
    expect((await locker.acquire('{order:7}:items', { ttl: '1s' })).fencingToken).toBe(
      items.fencingToken + 5,
    );
  });

  it('keeps one fencing counter per cluster slot, not one per key', async () => {
    // 100 keys of their own tags, and 100 of one tag (one slot: one counter, not 100).
    const keys = Array.from({ length: 100 }, (_, i) => [`request:${i}`, `{batch}:item:${i}`]).flat();
    const locks = await Promise.all(keys.map((key) => locker.acquire(key, { ttl: '10s' })));
    await Promise.all(locks.map((lock) => lock.release()));
    if (target.name === 'memory') return;
    let stored = 0;
    for (const master of target.masters()) stored += Number(await redisCommand(master, ['DBSIZE']));
    // Released locks leave only counters: one per slot the keys fell in.
    expect(stored).toBe(groupBySlot(keys, true).length);
    expect(stored).toBeLessThanOrEqual(101);
  });

  it('keeps tokens above a per-key counter that an earlier build left, and creates none', async () => {
    if (target.name === 'memory') return;
    const legacy = 'rw:lock:{order:9}:fence';
    // Above the clock in microseconds, where a missing slot counter starts.
    const above = Date.now() * 1000 + 3_600e6;
    await onOwner(target, legacy, ['SET', legacy, String(above)]);
    const first = await locker.acquire('order:9', { ttl: '10s' });
    expect(first.fencingToken).toBe(above + 1);
    // Written back, so an instance of an earlier build still running during an upgrade counts on from there.
    expect(await onOwner(target, legacy, ['GET', legacy])).toBe(String(above + 1));
    await first.release();
    await onOwner(target, legacy, ['INCR', legacy]); // the earlier build took it once more: above + 2
    const next = await locker.acquire('order:9', { ttl: '10s' });
    expect(next.fencingToken).toBe(above + 3);
    await next.release();
    await (await locker.acquire('order:10', { ttl: '10s' })).release();
    const unused = 'rw:lock:{order:10}:fence';
    expect(await onOwner(target, unused, ['EXISTS', unused])).toBe(0);
  });

  it('refuses keys of different hash tags in one lock, on every backend', async () => {
    const error = await rejectionOf(locker.acquire(['a', 'b'], { ttl: '1s' }));
    expect(error).toBeInstanceOf(RediwareConfigError);
    expect((error as RediwareConfigError).option).toBe('key');
  });

  it('keeps keys with braces, globs and unicode apart, each in its own lock', async () => {
    const keys = ['a*', 'a?', '{x', 'x}', 'ünï', 'a b', '', '{}'];
    const locks = await Promise.all(keys.map((key) => locker.acquire(key, { ttl: '5s' })));
    for (const lock of locks) expectSeeded(lock.fencingToken);
    await Promise.all(locks.map((lock) => lock.release()));
  });
});

/** A counter that did not exist starts at the clock in microseconds, not at 1. */
function expectSeeded(token: number): void {
  const minute = 60e6;
  expect(token).toBeGreaterThan(Date.now() * 1000 - minute);
  expect(token).toBeLessThan(Date.now() * 1000 + minute);
}

describe('options', () => {
  it('name the option that is wrong', async () => {
    expect(() => createLocker({ prefix: 'a b' })).toThrow(/`prefix`/);
    expect(() => createLocker({ timeout: 0 })).toThrow(/`timeout`/);
    expect(() => createLocker({ extendRatio: 1 })).toThrow(/`extendRatio`/);
    expect(() => createLocker({ retryInterval: '1y' as '1s' })).toThrow(/`retryInterval`/);
    expect(() => createLocker({ redsi: 1 } as never)).toThrow(/`options.redsi`/);
    const locker = createLocker();
    await expect(locker.acquire('k', {} as never)).rejects.toThrow(/`ttl`/);
    await expect(locker.acquire('k', { ttl: '1s', wait: -1 })).rejects.toThrow(/`wait`/);
    await expect(locker.acquire('k', { ttl: '1s', limit: 0 })).rejects.toThrow(/`limit`/);
    await expect(locker.acquire('k', { ttl: 0 })).rejects.toThrow(/`ttl`/);
    await expect(locker.acquire(42 as never, { ttl: 1 })).rejects.toThrow(/`key`/);
    await locker.close();
  });
});
