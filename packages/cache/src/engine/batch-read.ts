import { isRedisError } from '@rediware/core';
import { decodeValue, type EncodedValue } from '../codec/value-codec';
import type { CacheState } from './cache-state';
import { abandonFill, beginFill, fillFromRead } from './l1-fill';
import { type Location, locate } from './location';
import type { KeyOptions } from './options';
import { entryOf, type Read, readOf, stampsToCheck } from './read';
import { readEntriesScript } from './scripts/read-entries-script';
import type { ReadEntryReply } from './scripts/read-entry-script';

/**
 * Reads many entries: one round trip per slot group (one on a standalone server), in parallel,
 * then one for the stamps the entries recorded that this process does not remember, if any. With
 * a token, the loader lock of each entry that is not fresh is tried in the same round trip, as
 * `wrap`'s read does.
 */
export async function readEntries(
  state: CacheState,
  locations: readonly Location[],
  token: string,
): Promise<Read[]> {
  const { backend, config } = state;
  const localNow = Date.now();
  const replies = new Array<ReadEntryReply>(locations.length);
  await Promise.all(
    backend.slotGroups(locations.map((location) => location.entryKey)).map(async (group) => {
      const keys = group.flatMap((i) => [locations[i]?.entryKey, locations[i]?.lockKey] as string[]);
      const groupReplies = await backend.run(readEntriesScript, keys, [token, config.lockTtlMs], {
        buffers: true,
        batch: true,
      });
      group.forEach((index, i) => {
        replies[index] = groupReplies[i] as ReadEntryReply;
      });
    }),
  );
  const reads = replies.map((reply) => {
    const entry = entryOf(reply);
    return { reply, entry, checked: stampsToCheck(entry, Number(reply[0])) };
  });
  const current = await state.stamps.validEach(reads.map(({ checked }) => checked));
  return reads.map(({ reply, entry }, i) => readOf(reply, entry, localNow, token, current[i] === true));
}

/** `getMany`: L1 first, then one batch read of the rest; a miss (or a Redis failure) is undefined. */
export async function getMany(
  state: CacheState,
  keys: readonly string[],
  options: KeyOptions,
): Promise<unknown[]> {
  const unique = [...new Set(keys)];
  const locations = unique.map((key) => locate(state, key, options.namespace));
  if (locations.length === 0) return [];
  state.bus.start();
  const found = new Map<string, EncodedValue>();
  const remote = locations.filter((location) => {
    const local = state.l1?.fresh(location.entryKey);
    if (local) found.set(location.key, local.value);
    return !local;
  });
  if (remote.length > 0) await readRemote(state, remote, found);
  state.metrics.hits.add(found.size);
  state.metrics.misses.add(unique.length - found.size);
  return keys.map((key) => {
    const encoded = found.get(key);
    return encoded && decodeValue(encoded, state.config.serializer);
  });
}

async function readRemote(
  state: CacheState,
  locations: readonly Location[],
  found: Map<string, EncodedValue>,
): Promise<void> {
  const fills = locations.map((location) => beginFill(state, location));
  try {
    const reads = await readEntries(state, locations, '');
    reads.forEach((read, i) => {
      if (read.freshness !== 'fresh' || !read.entry) return;
      fillFromRead(state, fills[i], read);
      found.set((locations[i] as Location).key, read.entry.value);
    });
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('getMany', error, true);
  } finally {
    for (const fill of fills) abandonFill(state, fill);
  }
}
