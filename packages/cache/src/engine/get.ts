import { isRedisError } from '@rediware/core';
import { decodeValue } from '../codec/value-codec';
import type { CacheState } from './cache-state';
import { abandonFill, beginFill, fillFromRead } from './l1-fill';
import { locate } from './location';
import type { KeyOptions } from './options';
import { readEntry } from './read-entry';

/** `get`: the fresh value from L1, else from Redis; undefined for a miss or when Redis fails. */
export async function getValue(state: CacheState, key: string, options: KeyOptions): Promise<unknown> {
  const location = locate(state, key, options.namespace);
  state.bus.start();
  const local = state.l1?.fresh(location.entryKey);
  if (local) {
    state.metrics.hits.add();
    return decodeValue(local.value, state.config.serializer);
  }
  const fill = beginFill(state, location);
  try {
    const read = await readEntry(state, location, '');
    if (read.freshness === 'fresh' && read.entry) {
      fillFromRead(state, fill, read);
      state.metrics.hits.add();
      return decodeValue(read.entry.value, state.config.serializer);
    }
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('get', error, true);
  } finally {
    abandonFill(state, fill);
  }
  state.metrics.misses.add();
  return undefined;
}

/** `ttl`: when the fresh value stops being fresh, on this process's clock; undefined without one. */
export async function freshUntil(
  state: CacheState,
  key: string,
  options: KeyOptions,
): Promise<number | undefined> {
  const location = locate(state, key, options.namespace);
  try {
    const read = await readEntry(state, location, '');
    if (read.freshness !== 'fresh' || !read.entry) return undefined;
    return read.localNow + (read.entry.freshUntil - read.now);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('ttl', error, true);
    return undefined;
  }
}
