import { isRedisError, type ScriptArg } from '@rediware/core';
import type { CacheState } from './cache-state';
import { encodeEntry } from './entry-encoding';
import { lifetimeOf } from './entry-lifetime';
import { type EntryWrite, recordWritten } from './entry-write';
import { type Location, locate, stampKeysOf } from './location';
import { type EntryOptions, type EntryPolicy, parseEntryOptions } from './options';
import { writeEntriesScript } from './scripts/write-entries-script';
import { encodeStamps, type StampRef } from './stored-entry';

/**
 * Writes (or deletes) many entries: one round trip per slot group, in parallel, each publishing
 * its own bus message; loader locks held with `token` are released on the way. This process's L1
 * keeps what it wrote, as `set` does.
 */
export async function writeEntries(
  state: CacheState,
  writes: readonly EntryWrite[],
  policy: EntryPolicy,
  stamps: readonly StampRef[],
  token: string,
): Promise<void> {
  const { backend, bus } = state;
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
      const members = group.map((i) => writes[i] as EntryWrite);
      const keys = members.flatMap(({ location }) => [location.entryKey, location.lockKey]);
      const values = members.flatMap(({ encoded }): ScriptArg[] =>
        encoded ? [encoded.kind, encoded.bytes] : ['d', ''],
      );
      const head = bus.keysMessageHead(members.map(({ location }) => location.entryKey));
      const writtenAt = await backend.run(writeEntriesScript, keys, [...shared, head, ...values], {
        batch: true,
      });
      recordWritten(state, members, policy, stamps, writtenAt);
    }),
  );
}

/** `setMany`: write-through of many entries; resolves when Redis fails (reported), as `set` does. */
export async function setMany(
  state: CacheState,
  pairs: ReadonlyMap<string, unknown>,
  options: EntryOptions,
): Promise<void> {
  const policy = parseEntryOptions(options, state.config);
  const writes: EntryWrite[] = [...pairs].map(([key, value]) => {
    const location = locate(state, key, options.namespace);
    state.l1?.evictKey(location.entryKey);
    // A ttl of 0 or a value that cannot be cached deletes the old entry, as `set` does.
    return { location, encoded: policy.ttlMs === 0 ? undefined : encodeEntry(state, location, value) };
  });
  if (writes.length === 0) return;
  try {
    const anyValue = writes.some((write) => write.encoded);
    const stampKeys = anyValue ? stampKeysOf(state, writes[0]?.location as Location, policy.tags) : [];
    const stamps = await state.stamps.settle(undefined, stampKeys, lifetimeOf(policy));
    if (stamps) await writeEntries(state, writes, policy, stamps, '');
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('setMany', error, true);
  }
}
