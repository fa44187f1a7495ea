import { setTimeout as sleep } from 'node:timers/promises';
import { RediwareConfigError } from '@rediware/core';
import {
  allKeys,
  onOwner,
  type RedisTarget,
  rejectionOf,
  useRedisTargets,
  useUnhandledRejections,
  waitFor,
} from '@rediware/testing';
import {
  createLocker,
  LockAbortedError,
  LockBusyError,
  type Locker,
  LockLostError,
  type LockLostEvent,
  LockTimeoutError,
} from '../src';

// What users of redlock and redis-semaphore rely on, ported to the locker as the guides in
// docs/migrating/ map it (redlock.md, redis-semaphore.md).

/** The holder key of `name` on the Redis that owns it (a string or a semaphore's sorted set). */
async function holderKeyOf(target: RedisTarget, name: string): Promise<string> {
  for (const master of target.masters()) {
    const found = (await allKeys(master)).find((key) => key.includes(`{${name}}`) && key.endsWith(':lock'));
    if (found !== undefined) return found;
  }
  throw new Error(`no holder key for ${name}`);
}

/** Runs `routine` for each caller, counting how many are inside at once. */
function concurrencyProbe(): { run(routine: () => Promise<void>): Promise<void>; max: () => number } {
  let inside = 0;
  let max = 0;
  return {
    async run(routine) {
      inside++;
      max = Math.max(max, inside);
      try {
        await routine();
      } finally {
        inside--;
      }
    },
    max: () => max,
  };
}

describe.each(useRedisTargets())('migration parity on $name', (target) => {
  const unhandled = useUnhandledRejections();
  let lockers: Locker[];

  beforeEach(async () => {
    await target.flush();
    // Three lockers (three processes' worth of connections); memory lockers share nothing, so one.
    const count = target.name === 'memory' ? 1 : 3;
    lockers = Array.from({ length: count }, () => createLocker({ redis: target.client(), timeout: '2s' }));
  });
  afterEach(async () => {
    await Promise.all(lockers.map((locker) => locker.close()));
    expect(unhandled()).toEqual([]);
  });
  const lockerFor = (i: number): Locker => lockers[i % lockers.length] as Locker;

  describe('redlock', () => {
    it('using → withLock with wait: Infinity (retryCount: -1): 60 concurrent callers, exactly one holder at a time, all served in fencing order', async () => {
      const probe = concurrencyProbe();
      const tokens: number[] = [];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          lockerFor(i).withLock('a', { ttl: '5s', wait: Number.POSITIVE_INFINITY }, (lock) =>
            probe.run(async () => {
              expect(lock.signal.aborted).toBe(false);
              tokens.push(lock.fencingToken);
              await sleep(1);
            }),
          ),
        ),
      );
      expect(results).toHaveLength(60);
      expect(probe.max()).toBe(1);
      expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
      expect(new Set(tokens).size).toBe(60);
    });

    it('using: a routine that outlives its duration is extended automatically, then released', async () => {
      const [first, second] = [lockerFor(0), lockerFor(1)];
      const running = first.withLock('long', { ttl: 300 }, async (lock) => {
        await sleep(1_000);
        return lock.signal.aborted;
      });
      await sleep(600);
      // Twice the ttl later, still held: a second caller that does not wait is refused.
      await expect(second.acquire('long', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
      expect(await running).toBe(false);
      const next = await second.acquire('long', { ttl: '1s' });
      await next.release();
    });

    it('using: the routine that throws still releases the lock, and its error is passed on', async () => {
      const failing = lockerFor(0).withLock('throws', { ttl: '30s' }, async () => {
        throw new Error('routine failed');
      });
      await expect(failing).rejects.toThrow('routine failed');
      // Released, not left to its 30 s ttl: taken at once with wait: 0.
      const next = await lockerFor(1).acquire('throws', { ttl: '1s' });
      await next.release();
    });

    it('using: the signal aborts when the lock is lost (signal.error → signal.reason), and withLock rejects', async () => {
      if (target.name === 'memory') return; // nobody else can take a lock from the memory backend
      const lost: LockLostEvent[] = [];
      lockerFor(0).on('lost', (event) => lost.push(event));
      const outcome = rejectionOf(
        lockerFor(0).withLock('stolen', { ttl: 600 }, async (lock) => {
          await onOwner(target, await holderKeyOf(target, 'stolen'), [
            'DEL',
            await holderKeyOf(target, 'stolen'),
          ]);
          await waitFor(() => lock.signal.aborted, 3_000);
          expect(lock.signal.reason).toBeInstanceOf(LockLostError);
          return 'finished';
        }),
      );
      expect(await outcome).toBeInstanceOf(LockLostError);
      expect(lost).toEqual([expect.objectContaining({ key: 'stolen', error: expect.any(LockLostError) })]);
    });

    it('automaticExtensionThreshold → extendRatio per acquisition: extends late, and still in time', async () => {
      const late = await lockerFor(0).acquire('late', { ttl: '3s', extendRatio: 0.9 });
      const usual = await lockerFor(0).acquire('usual', { ttl: '3s' });
      await sleep(1_500);
      // The usual lock was extended at 1 s (1/3 of the ttl); the late one not yet (at 2.7 s).
      expect(usual.remainingMs).toBeGreaterThan(2_000);
      expect(late.remainingMs).toBeLessThan(2_000);
      await sleep(2_000);
      expect(late.signal.aborted).toBe(false);
      expect(late.remainingMs).toBeGreaterThan(1_000);
      await expect(lockerFor(1).acquire('late', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
      expect(await late.release()).toBe(true);
      expect(await usual.release()).toBe(true);
    });

    it('retryCount: -1 → wait: Infinity never times out; the signal or close() ends it', async () => {
      const holder = await lockerFor(0).acquire('forever', { ttl: '30s' });
      const controller = new AbortController();
      const cancelled = rejectionOf(
        lockerFor(1).acquire('forever', {
          ttl: '1s',
          wait: Number.POSITIVE_INFINITY,
          signal: controller.signal,
        }),
      );
      // Another locker (memory lockers share nothing: the same one), closed while it waits.
      const closing =
        target.name === 'memory'
          ? undefined
          : createLocker({ redis: target.client(), timeout: '2s', retryInterval: 50 });
      const closed = closing
        ? rejectionOf(closing.acquire('forever', { ttl: '1s', wait: Number.POSITIVE_INFINITY }))
        : undefined;
      // Many fallback retries (every 50 ms) later, neither has given up.
      await sleep(400);
      controller.abort(new Error('shutting down'));
      expect(await cancelled).toBeInstanceOf(LockAbortedError);
      await closing?.close();
      if (closed) expect(await closed).toBeInstanceOf(LockAbortedError);
      const waiting = lockerFor(1).acquire('forever', { ttl: '1s', wait: Number.POSITIVE_INFINITY });
      await sleep(100);
      await holder.release();
      await (await waiting).release();
    });
  });

  describe('redis-semaphore', () => {
    it('Semaphore(maxCount 3) → limit: 3: 30 concurrent callers, never more than 3 inside, all served', async () => {
      const probe = concurrencyProbe();
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          lockerFor(i).withLock('pool', { ttl: '5s', wait: '60s', limit: 3 }, () =>
            probe.run(() => sleep(5)),
          ),
        ),
      );
      expect(probe.max()).toBe(3);
    });

    it('Mutex: acquireTimeout → wait (LockTimeoutError), tryAcquire → wait: 0 (LockBusyError)', async () => {
      const holder = await lockerFor(0).acquire('mutex', { ttl: '20s' });
      const tried = await rejectionOf(lockerFor(1).acquire('mutex', { ttl: '1s' }));
      expect((tried as LockBusyError).code).toBe('ERR_RW_LOCK_BUSY');
      const started = Date.now();
      const timedOut = await rejectionOf(lockerFor(1).acquire('mutex', { ttl: '1s', wait: 300 }));
      expect(timedOut).toBeInstanceOf(LockTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      await holder.release();
    });

    it('onLockLost → the signal’s abort event: called once, never an unhandled error', async () => {
      if (target.name === 'memory') return;
      const reasons: unknown[] = [];
      const lock = await lockerFor(0).acquire('sem-lost', { ttl: 600, limit: 2 });
      lock.signal.addEventListener('abort', () => reasons.push(lock.signal.reason));
      const key = await holderKeyOf(target, 'sem-lost');
      expect(await onOwner(target, key, ['TYPE', key])).toBe('zset');
      await onOwner(target, key, ['DEL', key]);
      await waitFor(() => reasons.length > 0, 3_000);
      await sleep(500);
      expect(reasons).toEqual([expect.any(LockLostError)]);
      expect(await lock.release()).toBe(false);
    });

    it('MultiSemaphore(limit 5, permits 3) → limit: 5, permits: 3: all permits or none, freed together', async () => {
      const [first, second] = [lockerFor(0), lockerFor(1)];
      const three = await first.acquire('multi', { ttl: '20s', limit: 5, permits: 3 });
      const busy = await rejectionOf(second.acquire('multi', { ttl: '20s', limit: 5, permits: 3 }));
      expect(busy).toBeInstanceOf(LockBusyError);
      expect((busy as LockBusyError).retryAfterMs).toBeGreaterThan(10_000);
      const two = await second.acquire('multi', { ttl: '20s', limit: 5, permits: 2 });
      // Full: not even one permit is left.
      await expect(second.acquire('multi', { ttl: '20s', limit: 5 })).rejects.toBeInstanceOf(LockBusyError);
      const waiting = second.acquire('multi', { ttl: '20s', limit: 5, permits: 3, wait: '10s' });
      await sleep(50);
      expect(await three.release()).toBe(true);
      const next = await waiting;
      expect(next.fencingToken).toBeGreaterThan(two.fencingToken);
      expect(await two.release()).toBe(true);
      // Two permits free: a 3-permit caller is busy, a 2-permit one is not.
      await expect(first.acquire('multi', { ttl: '20s', limit: 5, permits: 3 })).rejects.toBeInstanceOf(
        LockBusyError,
      );
      const last = await first.acquire('multi', { ttl: '20s', limit: 5, permits: 2 });
      await Promise.all([next.release(), last.release()]);
      // Everything freed: all 5 at once.
      await (await first.acquire('multi', { ttl: '1s', limit: 5, permits: 5 })).release();
    });

    it('MultiSemaphore: 30 concurrent callers taking 1 to 3 of 4 permits never exceed 4, all served', async () => {
      let inUse = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => {
          const permits = (i % 3) + 1;
          return lockerFor(i).withLock(
            'weighted',
            { ttl: '5s', wait: '60s', limit: 4, permits },
            async () => {
              inUse += permits;
              most = Math.max(most, inUse);
              await sleep(5);
              inUse -= permits;
            },
          );
        }),
      );
      expect(most).toBeLessThanOrEqual(4);
      expect(most).toBeGreaterThanOrEqual(3);
    });

    it('MultiSemaphore: auto-extension keeps every permit, and an expired holder frees every permit', async () => {
      const kept = await lockerFor(0).acquire('extended', { ttl: 300, limit: 3, permits: 2 });
      const gone = await lockerFor(0).acquire('expiring', {
        ttl: 300,
        limit: 3,
        permits: 3,
        autoExtend: false,
      });
      await sleep(1_000);
      expect(kept.signal.aborted).toBe(false);
      await expect(
        lockerFor(1).acquire('extended', { ttl: '1s', limit: 3, permits: 2 }),
      ).rejects.toBeInstanceOf(LockBusyError);
      await (await lockerFor(1).acquire('extended', { ttl: '1s', limit: 3 })).release();
      expect(gone.signal.aborted).toBe(true);
      await (await lockerFor(1).acquire('expiring', { ttl: '1s', limit: 3, permits: 3 })).release();
      expect(await kept.release()).toBe(true);
    });

    it('refreshInterval → extendRatio, acquireTimeout → wait: validated like every option', async () => {
      for (const [limit, permits] of [
        [1, 2],
        [3, 4],
        [3, 0],
        [3, 1.5],
      ]) {
        await expect(lockerFor(0).acquire('x', { ttl: '1s', limit, permits })).rejects.toBeInstanceOf(
          RediwareConfigError,
        );
      }
      for (const extendRatio of [0, 1, 1.5, -0.1, Number.NaN]) {
        await expect(lockerFor(0).acquire('x', { ttl: '1s', extendRatio })).rejects.toBeInstanceOf(
          RediwareConfigError,
        );
      }
      for (const wait of [-1, Number.NEGATIVE_INFINITY, Number.NaN]) {
        await expect(lockerFor(0).acquire('x', { ttl: '1s', wait })).rejects.toBeInstanceOf(
          RediwareConfigError,
        );
      }
    });
  });
});
