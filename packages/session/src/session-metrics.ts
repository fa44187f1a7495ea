import type { CounterSpec } from '@rediware/core';

/** What a session store counts; exported as `rediware_session_<name>_total`. */
export const sessionMetricSpecs = {
  reads: { subsystem: 'session', name: 'reads', help: 'Sessions read from the store (get).' },
  writes: { subsystem: 'session', name: 'writes', help: 'Saves and touches sent to the store.' },
  touchesSkipped: {
    subsystem: 'session',
    name: 'touches_skipped',
    help: 'Saves and touches skipped because the expiry moved less than touchAfter.',
  },
  corrupt: {
    subsystem: 'session',
    name: 'corrupt',
    help: 'Stored sessions that could not be decoded (answered as no session).',
  },
  errors: { subsystem: 'session', name: 'errors', help: 'Redis failures (the call was rejected).' },
} as const satisfies Record<string, CounterSpec>;

/** The totals `store.metrics()` returns, one per counter of `sessionMetricSpecs`. */
export type SessionMetrics = Record<keyof typeof sessionMetricSpecs, number>;
