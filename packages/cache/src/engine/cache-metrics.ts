import type { CounterSpec } from '@rediware/core';

/** What a cache engine counts; exported as `rediware_cache_<name>[_bytes]_total`. */
export const cacheMetricSpecs = {
  hits: {
    subsystem: 'cache',
    name: 'hits',
    help: 'Reads answered with a fresh value (L1, Redis, or another loader).',
  },
  misses: {
    subsystem: 'cache',
    name: 'misses',
    help: 'Reads that found nothing usable (get returned undefined, or wrap loaded).',
  },
  stale: {
    subsystem: 'cache',
    name: 'stale',
    help: 'wrap calls answered with a stale value (stale-while-revalidate or stale-if-error).',
  },
  coalescedWaits: {
    subsystem: 'cache',
    name: 'coalesced_waits',
    help: "Calls that waited for another caller's loader (same process or another) instead of loading.",
  },
  errors: { subsystem: 'cache', name: 'errors', help: 'Redis failures and loader failures.' },
  l1Resets: {
    subsystem: 'cache',
    name: 'l1_resets',
    help: 'Times L1 stopped trusting every entry: the pub/sub link was lost, or stayed unverified past l1.maxUnverified.',
  },
  storedBytes: {
    subsystem: 'cache',
    name: 'stored',
    unit: 'bytes',
    help: 'Bytes of values written to Redis.',
  },
} as const satisfies Record<string, CounterSpec>;

/** The totals `cache.metrics()` returns, one per counter of `cacheMetricSpecs`. */
export type CacheMetrics = Record<keyof typeof cacheMetricSpecs, number>;
