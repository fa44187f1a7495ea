import { isRedisError, type ScriptArg } from '@rediware/core';
import type { EncodedValue } from '../codec/value-codec';
import type { CacheInternals } from './cache-internals';
import { lifetimeOf } from './entry-lifetime';
import type { Location } from './location';
import { type EntryOptions, type EntryPolicy, parseEntryOptions } from './options';
import { refreshAt } from './refresh-ahead';
import { writeEntriesScript } from './scripts/write-entries-script';
import { encodeStamps, type StampRef } from './stored-entry';

/** One entry of a batch write; without a value the entry is deleted. */
export interface BatchWrite {
  readonly location: Location;
  readonly encoded: EncodedValue | undefined;
}

/**
 * Writes (or deletes) many entries: one round trip per slot group, in parallel, each publishing
 * its own bus message; loader locks held with `token` are released on the way. This process's L1
 * keeps what it wrote, as `set` does.
 */
export async function writeEntries(
  internals: CacheInternals,
  writes: readonly BatchWrite[],
  policy: EntryPolicy,
  stamps: readonly StampRef[],
  token: string,
): Promise<void> {
  const { backend, bus } = internals;
  const shared: ScriptArg[] = [
    policy.ttlMs,
    policy.staleWhileRevalidateMs,
    policy.staleIfErrorMs,
    encodeStamps(stamps),
    token,
    bus.channel,
  ];
  await Promise.all(
    backend.slotGroups(writes.map((write) => write.location.entryKey)).map(async (group) => {
      const members = group.map((i) => writes[i] as BatchWrite);
      const keys = members.flatMap(({ location }) => [location.entryKey, location.lockKey]);
      const values = members.flatMap(({ encoded }): ScriptArg[] =>
        encoded ? [encoded.kind, encoded.bytes] : ['d', ''],
      );
      const head = bus.keysMessageHead(members.map(({ location }) => location.entryKey));
      const writtenAt = await backend.run(writeEntriesScript, keys, [...shared, head, ...values], {
        batch: true,
      });
      keepInL1(internals, members, policy, stamps, writtenAt);
    }),
  );
}

function keepInL1(
  internals: CacheInternals,
  members: readonly BatchWrite[],
  policy: EntryPolicy,
  stamps: readonly StampRef[],
  writtenAt: number,
): void {
  // Only while the bus works: an L1 entry is trusted because other instances' changes evict it.
  if (!internals.bus.live || !internals.l1) return;
  const now = Date.now();
  for (const { location, encoded } of members) {
    if (!encoded) continue;
    internals.l1.set(location.entryKey, {
      value: encoded,
      freshUntil: refreshAt(now, now + policy.ttlMs, internals.config.refreshAhead),
      errorUntil: now + policy.ttlMs + policy.staleIfErrorMs,
      createdAt: now,
      stamps: stamps.map((stamp) => stamp.key),
      seenAt: writtenAt,
    });
  }
}

/** `setMany`: write-through of many entries; resolves when Redis fails (reported), as `set` does. */
export async function setMany(
  internals: CacheInternals,
  pairs: ReadonlyMap<string, unknown>,
  options: EntryOptions,
): Promise<void> {
  const policy = parseEntryOptions(options, internals.config);
  const writes: BatchWrite[] = [...pairs].map(([key, value]) => {
    const location = internals.locate(key, options.namespace);
    internals.l1?.evictKey(location.entryKey);
    // A ttl of 0 or a value that cannot be cached deletes the old entry, as `set` does.
    return { location, encoded: policy.ttlMs === 0 ? undefined : internals.encode(location, value) };
  });
  if (writes.length === 0) return;
  try {
    const anyValue = writes.some((write) => write.encoded);
    const stampKeys = anyValue ? internals.stampKeys(writes[0]?.location as Location, policy.tags) : [];
    const stamps = await internals.stamps.settle(undefined, stampKeys, lifetimeOf(policy));
    if (stamps) await writeEntries(internals, writes, policy, stamps, '');
  } catch (error) {
    if (!isRedisError(error)) throw error;
    internals.reportFailure('setMany', error, true);
  }
}
