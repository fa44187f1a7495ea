import { isRedisError } from '@rediware/core';
import type { SetOptions } from './cache-api';
import type { CacheState } from './cache-state';
import { deleteQuietly } from './entry-delete';
import { encodeEntry } from './entry-encoding';
import { lifetimeOf } from './entry-lifetime';
import { writeSettled } from './entry-settled-write';
import { writeEntry } from './entry-write';
import { locate, oneScriptReaches, stampKeysOf } from './location';
import { parseEntryOptions } from './options';

/**
 * `set`: write-through of one entry. A ttl of 0 or a value that cannot be cached deletes the old
 * entry. Resolves when Redis fails (reported).
 */
export async function setValue(
  state: CacheState,
  key: string,
  value: unknown,
  options: SetOptions,
): Promise<void> {
  const location = locate(state, key, options.namespace);
  const policy = parseEntryOptions(options, state.config);
  const encoded = encodeEntry(state, location, value);
  state.l1?.evictKey(location.entryKey);
  if (!encoded || policy.ttlMs === 0) {
    await deleteQuietly(state, location);
    return;
  }
  try {
    const stampKeys = stampKeysOf(state, location, policy.tags);
    if (oneScriptReaches(state, location, stampKeys))
      await writeSettled(state, { location, encoded }, policy, stampKeys, undefined, '');
    else {
      const stamps = await state.stamps.settle(undefined, stampKeys, lifetimeOf(policy));
      if (stamps) await writeEntry(state, location, encoded, policy, stamps, '');
    }
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('set', error, true);
  }
}
