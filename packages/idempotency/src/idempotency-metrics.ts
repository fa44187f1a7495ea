import type { CounterSpec } from '@rediware/core';

/** What an idempotency store counts; exported as `rediware_idempotency_<name>_total`. */
export const idempotencyMetricSpecs = {
  runs: {
    subsystem: 'idempotency',
    name: 'runs',
    help: 'Requests with a key that ran the handler (the first with their key, or a retry after a release).',
  },
  replays: {
    subsystem: 'idempotency',
    name: 'replays',
    help: 'Retries answered with the stored response (Idempotent-Replayed: true); the handler did not run.',
  },
  busy: {
    subsystem: 'idempotency',
    name: 'busy',
    help: 'Retries answered 409 because the first request with their key still ran (after `wait`).',
  },
  mismatches: {
    subsystem: 'idempotency',
    name: 'mismatches',
    help: 'Requests answered 422: their key was used for another request.',
  },
  corrupt: {
    subsystem: 'idempotency',
    name: 'corrupt',
    help: 'Corrupt records taken over (one per corrupt event).',
  },
  errors: {
    subsystem: 'idempotency',
    name: 'errors',
    help: 'Script calls rejected because Redis failed (one per failure event); a request among them is answered 503.',
  },
} as const satisfies Record<string, CounterSpec>;

/**
 * The totals `store.metrics()` returns: one per counter of `idempotencyMetricSpecs` (`runs`,
 * `replays`, `busy`, `mismatches`, `corrupt`, `errors`, whose `help` says what each counts).
 */
export type IdempotencyMetrics = Record<keyof typeof idempotencyMetricSpecs, number>;
