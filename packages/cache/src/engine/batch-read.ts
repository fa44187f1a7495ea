import { isRedisError } from '@rediware/core';
import { decodeValue, type EncodedValue } from '../codec/value-codec';
import { readStampVersions } from './batch-stamps';
import type { CacheInternals } from './cache-internals';
import type { Location } from './location';
import type { KeyOptions } from './options';
import { entryOf, type Read } from './read';
import { readEntriesScript } from './scripts/read-entries-script';
import type { ReadEntryReply } from './scripts/read-entry-script';
import { freshnessOf } from './stored-entry';

/**
 * Reads many entries: one round trip per slot group (one on a standalone server), in parallel,
 * then one for the stamps the entries recorded, if any. With a token, the loader lock of each
 * entry that is not fresh is tried in the same round trip, as `wrap`'s read does.
 */
export async function readEntries(
  internals: CacheInternals,
  locations: readonly Location[],
  token: string,
): Promise<Read[]> {
  const { backend, config } = internals;
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
  const reads = replies.map((reply) => ({ reply, entry: entryOf(reply), now: Number(reply[0]) }));
  const recorded = reads.flatMap(({ entry, now }) =>
    entry && freshnessOf(entry, now) !== 'expired' ? entry.stamps.map((stamp) => stamp.key) : [],
  );
  const versions = recorded.length > 0 ? await readStampVersions(backend, recorded) : new Map();
  // One literal per read, not a spread plus properties: that costs about 1.5 µs per property on Node 20.
  return reads.map(({ reply, entry, now }): Read => {
    const current = entry ? freshnessOf(entry, now) : 'missing';
    const stampChanged =
      entry !== undefined &&
      current !== 'expired' &&
      entry.stamps.some((stamp) => versions.get(stamp.key) !== stamp.version);
    return {
      entry,
      now,
      nowUs: Number(reply[1]),
      localNow,
      locked: Number(reply[2]) === 1,
      freshness: stampChanged ? 'invalid' : current,
      triedLock: token !== '' && current !== 'fresh',
    };
  });
}

/** `getMany`: L1 first, then one batch read of the rest; a miss (or a Redis failure) is undefined. */
export async function getMany(
  internals: CacheInternals,
  keys: readonly string[],
  options: KeyOptions,
): Promise<unknown[]> {
  const unique = [...new Set(keys)];
  const locations = unique.map((key) => internals.locate(key, options.namespace));
  if (locations.length === 0) return [];
  internals.bus.start();
  const found = new Map<string, EncodedValue>();
  const remote = locations.filter((location) => {
    const local = internals.l1?.fresh(location.entryKey);
    if (local) found.set(location.key, local.value);
    return !local;
  });
  if (remote.length > 0) await readRemote(internals, remote, found);
  internals.metrics.hits.add(found.size);
  internals.metrics.misses.add(unique.length - found.size);
  return keys.map((key) => {
    const encoded = found.get(key);
    return encoded && decodeValue(encoded, internals.config.serializer);
  });
}

async function readRemote(
  internals: CacheInternals,
  locations: readonly Location[],
  found: Map<string, EncodedValue>,
): Promise<void> {
  const fills = locations.map((location) => internals.beginFill(location));
  try {
    const reads = await readEntries(internals, locations, '');
    reads.forEach((read, i) => {
      if (read.freshness !== 'fresh' || !read.entry) return;
      internals.fillL1(fills[i], read);
      found.set((locations[i] as Location).key, read.entry.value);
    });
  } catch (error) {
    if (!isRedisError(error)) throw error;
    internals.reportFailure('getMany', error, true);
  } finally {
    for (const fill of fills) if (fill) internals.l1?.abandon(fill);
  }
}
