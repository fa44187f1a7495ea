import type { CounterSpec } from '@rediware/core';

/** What a rate limiter counts; exported as `rediware_rate_limit_<name>_total{limiter}`. */
export const rateLimitMetricSpecs = {
  admitted: { subsystem: 'rate_limit', name: 'admitted', help: 'Requests admitted (consume).' },
  rejected: {
    subsystem: 'rate_limit',
    name: 'rejected',
    help: 'Requests rejected (consume), block cache included.',
  },
  failedOpen: {
    subsystem: 'rate_limit',
    name: 'failed_open',
    help: 'Decisions made without Redis because it failed (admitted, or decided by the memory fallback).',
  },
  blockCacheHits: {
    subsystem: 'rate_limit',
    name: 'block_cache_hits',
    help: 'Rejections answered by the local block cache without a Redis round trip.',
  },
} as const satisfies Record<string, CounterSpec>;

/** The totals `limiter.metrics()` returns, one per counter of `rateLimitMetricSpecs`. */
export type RateLimitMetrics = Record<keyof typeof rateLimitMetricSpecs, number>;
