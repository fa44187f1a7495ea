import type { CounterSpec, HistogramSpec } from '@rediware/core';

/** What a locker counts; exported as `rediware_lock_<name>_total`. */
export const lockMetricSpecs = {
  acquired: { subsystem: 'lock', name: 'acquired', help: 'Locks taken.' },
  waited: {
    subsystem: 'lock',
    name: 'waited',
    help: 'Acquisitions that found the lock held and waited for it.',
  },
  busy: {
    subsystem: 'lock',
    name: 'busy',
    help: 'Acquisitions refused at once because the lock was held (wait: 0).',
  },
  timeouts: {
    subsystem: 'lock',
    name: 'timeouts',
    help: 'Acquisitions that waited `wait` and gave up (LockTimeoutError).',
  },
  lost: { subsystem: 'lock', name: 'lost', help: 'Held locks lost before release (expired or taken over).' },
  errors: {
    subsystem: 'lock',
    name: 'errors',
    help: 'Acquires, extends and releases rejected because Redis failed (one per failure event).',
  },
} as const satisfies Record<string, CounterSpec>;

/** Time from acquire() to the lock taken, 0 when it was free; exported as `rediware_lock_wait_seconds`. */
export const lockWaitSpec: HistogramSpec = {
  subsystem: 'lock',
  name: 'wait',
  unit: 'seconds',
  help: 'Time from acquire() until the lock was taken.',
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
};

/**
 * The totals `locker.metrics()` returns: one per counter of `lockMetricSpecs` (`acquired`,
 * `waited`, `busy`, `timeouts`, `lost`, `errors`, whose `help` says what each counts), and the wait
 * histogram's count and sum.
 */
export interface LockMetrics extends Record<keyof typeof lockMetricSpecs, number> {
  /** Acquisitions recorded in the wait histogram, and their total wait in seconds. */
  wait: {
    /** Acquisitions recorded. */
    count: number;
    /** Their total wait, in seconds. */
    sumSeconds: number;
  };
}
