import { isRedisError } from '@rediware/core';
import { publishChange } from './bus-publish';
import type { CacheState } from './cache-state';
import { type Location, locate } from './location';
import type { KeyOptions } from './options';
import { deleteEntryScript } from './scripts/delete-entry-script';

/** `delete`: the entry goes from Redis and every instance's L1; rejects when Redis fails. */
export async function deleteEntry(state: CacheState, key: string, options: KeyOptions): Promise<void> {
  const location = locate(state, key, options.namespace);
  state.l1?.evictKey(location.entryKey);
  const deletedAt = await state.failClosed(
    'delete',
    state.backend.run(deleteEntryScript, [location.entryKey], []),
  );
  await publishChange(state, 'key', location.entryKey, deletedAt);
}

/** The delete of `set` with nothing to store: a Redis failure is reported as the set's. */
export async function deleteQuietly(state: CacheState, location: Location): Promise<void> {
  try {
    const deletedAt = await state.backend.run(deleteEntryScript, [location.entryKey], []);
    await publishChange(state, 'key', location.entryKey, deletedAt);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('set', error, true);
  }
}
