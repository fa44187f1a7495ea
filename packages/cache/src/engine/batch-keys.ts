import { RediwareError } from '@rediware/core';

/** The keys of a batch call, checked; duplicates are kept (each position gets its own result). */
export function checkBatchKeys(keys: unknown, method: string): readonly string[] {
  if (!Array.isArray(keys)) {
    throw new RediwareError(
      'ERR_RW_CACHE_KEY',
      `${method} takes an array of string keys, received ${typeof keys}.`,
    );
  }
  for (const key of keys) {
    if (typeof key !== 'string') {
      throw new RediwareError(
        'ERR_RW_CACHE_KEY',
        `${method}: a cache key must be a string, received ${typeof key}.`,
      );
    }
  }
  return keys as string[];
}

/** The entries of setMany, checked: an array of [key, value] pairs; a later pair for a key wins. */
export function checkBatchEntries(entries: unknown): Map<string, unknown> {
  if (!Array.isArray(entries)) {
    throw new RediwareError(
      'ERR_RW_CACHE_KEY',
      `setMany takes an array of [key, value] pairs, received ${typeof entries}.`,
    );
  }
  const pairs = new Map<string, unknown>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
      throw new RediwareError(
        'ERR_RW_CACHE_KEY',
        'setMany: every entry must be a [key, value] pair with a string key.',
      );
    }
    pairs.delete(entry[0]);
    pairs.set(entry[0], entry[1]);
  }
  return pairs;
}
