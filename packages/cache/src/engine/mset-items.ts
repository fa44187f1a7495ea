import { type Duration, RediwareError } from '@rediware/core';

/** One item of `mset` (cache-manager's and Keyv's shape): a key, its value and, optionally, its own ttl. */
export interface MsetItem {
  /** The cache key, as `set` takes it. */
  readonly key: string;
  /** The value to cache (anything the serializer handles). */
  readonly value: unknown;
  /** This item's freshness; without it, the call's `ttl` (else the cache's). 0: not cached (the old entry is deleted). */
  readonly ttl?: Duration | undefined;
}

/**
 * The items of `mset`, checked and grouped by ttl into `setMany` batches (a later item for a key
 * wins, as in setMany), so that items with one ttl share one round trip.
 */
export function msetBatches(list: unknown): Map<Duration | undefined, Array<[string, unknown]>> {
  if (!Array.isArray(list))
    throw new RediwareError(
      'ERR_RW_CACHE_KEY',
      `mset takes an array of { key, value, ttl? }, received ${typeof list}.`,
    );
  const latest = new Map<string, MsetItem>();
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null || typeof (item as MsetItem).key !== 'string')
      throw new RediwareError(
        'ERR_RW_CACHE_KEY',
        'mset: every item must be { key, value, ttl? } with a string key.',
      );
    const { key } = item as MsetItem;
    latest.delete(key);
    latest.set(key, item as MsetItem);
  }
  const batches = new Map<Duration | undefined, Array<[string, unknown]>>();
  for (const { key, value, ttl } of latest.values()) {
    const batch = batches.get(ttl) ?? [];
    batch.push([key, value]);
    batches.set(ttl, batch);
  }
  return batches;
}
