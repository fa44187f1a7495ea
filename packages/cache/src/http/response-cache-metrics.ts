import type { CounterSpec } from '@rediware/core';

/** Responses by X-Cache, counted by the response cache; exported as `rediware_response_cache_<name>_total`. */
export const responseCacheMetricSpecs = {
  hits: {
    subsystem: 'response_cache',
    name: 'hits',
    help: 'Responses served from the cache (X-Cache: HIT, 304 included).',
  },
  stale: { subsystem: 'response_cache', name: 'stale', help: 'Stale responses served (X-Cache: STALE).' },
  misses: {
    subsystem: 'response_cache',
    name: 'misses',
    help: 'Responses produced by the handler and stored if cacheable (X-Cache: MISS).',
  },
  bypass: {
    subsystem: 'response_cache',
    name: 'bypass',
    help: 'Requests the cache did not handle (X-Cache: BYPASS): method, credentials, Cache-Control.',
  },
  unadmitted: {
    subsystem: 'response_cache',
    name: 'unadmitted',
    help: 'Storable responses not stored: their key was not asked minUses times within minUsesWindow.',
  },
  overBudget: {
    subsystem: 'response_cache',
    name: 'over_budget',
    help: 'Storable responses not stored: maxEntries or maxMemoryUsage was reached.',
  },
  admissionErrors: {
    subsystem: 'response_cache',
    name: 'admission_errors',
    help: 'Storable responses not stored: the admission and budget check failed (Redis error or timeout).',
  },
} as const satisfies Record<string, CounterSpec>;
