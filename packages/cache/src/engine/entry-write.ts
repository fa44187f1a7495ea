import type { EncodedValue } from '../codec/value-codec';
import type { CacheState } from './cache-state';
import type { Location } from './location';
import type { EntryPolicy } from './options';
import { refreshAt } from './refresh-ahead';
import { writeEntryScript } from './scripts/write-entry-script';
import { encodeStamps, type StampRef } from './stored-entry';

/** One entry to write; without a value (in a batch) the entry is deleted. */
export interface EntryWrite {
  readonly location: Location;
  readonly encoded: EncodedValue | undefined;
}

/**
 * Writes one entry with the stamps it recorded, gives the loader lock held with `token` back and
 * tells the other instances, in one round trip, and keeps the value in this process's L1.
 */
export async function writeEntry(
  state: CacheState,
  location: Location,
  encoded: EncodedValue,
  policy: EntryPolicy,
  stamps: readonly StampRef[],
  token: string,
): Promise<void> {
  const writtenAt = await state.backend.run(
    writeEntryScript,
    [location.entryKey, location.lockKey],
    [
      encoded.bytes,
      encoded.kind,
      policy.ttlMs,
      policy.staleWhileRevalidateMs,
      policy.staleIfErrorMs,
      encodeStamps(stamps),
      token,
      policy.keepMs,
      state.bus.channel,
      state.bus.keysMessageHead([location.entryKey]),
    ],
  );
  recordWritten(state, [{ location, encoded }], policy, stamps, writtenAt);
}

/**
 * What follows every write, single or batch: its bytes are counted, and this process's L1 keeps
 * what it wrote at Redis time `writtenAt`. L1 only while the bus works: an L1 entry is trusted
 * because other instances' changes evict it.
 */
export function recordWritten(
  state: CacheState,
  writes: readonly EntryWrite[],
  policy: EntryPolicy,
  stamps: readonly StampRef[],
  writtenAt: number,
): void {
  for (const { encoded } of writes) if (encoded) state.metrics.storedBytes.add(encoded.bytes.length);
  const { l1 } = state;
  if (!state.bus.live || !l1) return;
  const now = Date.now();
  const stampKeys = stamps.map((stamp) => stamp.key);
  for (const { location, encoded } of writes) {
    if (!encoded) continue;
    l1.set(location.entryKey, {
      value: encoded,
      freshUntil: refreshAt(now, now + policy.ttlMs, state.config.refreshAhead),
      errorUntil: now + policy.ttlMs + policy.staleIfErrorMs,
      createdAt: now,
      stamps: stampKeys,
      seenAt: writtenAt,
    });
  }
}
