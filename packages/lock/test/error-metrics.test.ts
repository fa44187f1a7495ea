import { setTimeout as sleep } from 'node:timers/promises';
import type { CounterSpec, FailureEvent, MetricsSink } from '@rediware/core';
import { closeClient, eventually, faultyClient, rejectionOf, useFaultyRedis } from '@rediware/testing';
import { createLocker, lockMetricSpecs } from '../src';

// Issue #34: lock outages (fail closed, 503) show on the Redis-failures charts like every plugin's.

const faulty = useFaultyRedis();

/** A MetricsSink that keeps each exported counter's total by its spec, as prom-client and OpenTelemetry get it. */
function recordingSink() {
  const totals = new Map<CounterSpec, number>();
  const sink: MetricsSink = {
    counter: (spec) => {
      totals.set(spec, 0);
      return { add: (amount) => void totals.set(spec, (totals.get(spec) ?? 0) + amount) };
    },
    histogram: () => ({ record: () => {} }),
  };
  return { sink, totals };
}

const lockOperations = ['lock acquire', 'lock extend', 'lock release'];

describe.each(['node-redis', 'ioredis'] as const)('the lock errors counter on %s', (client) => {
  it('counts each acquire, extend and release that Redis failed, once, and exports it (a failed acquire is one error)', async () => {
    const redis = await faultyClient(faulty, client);
    const { sink, totals } = recordingSink();
    const locker = createLocker({ redis, timeout: 200, metrics: sink, prefix: `errors-${client}:` });
    const failures: FailureEvent[] = [];
    locker.on('failure', (event) => failures.push(event));
    try {
      // A client may still be connecting: healthy calls count nothing.
      await eventually(async () => (await locker.acquire('warm-up', { ttl: 100 })).release());
      const held = await locker.acquire('held', { ttl: '30s', autoExtend: false });
      await held.extend();
      expect(locker.metrics().errors).toBe(0);

      faulty.proxy().stall();
      await rejectionOf(locker.acquire('other', { ttl: '10s' }));
      await rejectionOf(held.extend());
      await rejectionOf(held.release());
      // The failed acquire also sent a release, to take back what it may have taken: that release
      // is part of the one failure and fails silently. Its deadline passed before the extend's did;
      // one more timeout lets any late report of it arrive.
      await sleep(200);
      const counted = failures.filter((event) => lockOperations.includes(event.operation));
      expect(counted.map((event) => event.operation).sort()).toEqual([
        'lock acquire',
        'lock extend',
        'lock release',
      ]);
      expect(locker.metrics().errors).toBe(3);
      expect(totals.get(lockMetricSpecs.errors)).toBe(3);
      expect(lockMetricSpecs.errors).toMatchObject({ subsystem: 'lock', name: 'errors' });
      // Failures are not the other outcomes.
      expect(locker.metrics()).toMatchObject({ busy: 0, timeouts: 0, lost: 0 });

      // Back up: no further count.
      faulty.proxy().pass();
      await eventually(async () => (await locker.acquire('after', { ttl: 100 })).release());
      expect(locker.metrics().errors).toBe(failures.length);
    } finally {
      faulty.proxy().pass();
      await locker.close();
      await closeClient(redis);
    }
  });
});
