import type { CacheState } from './cache-state';
import type { L1Fill } from './l1-tier';
import type { Location } from './location';
import { localTime, type Read } from './read';
import { refreshAt } from './refresh-ahead';

/** Call before a read from Redis: only while the bus works, as L1 is trusted because it evicts. */
export function beginFill(state: CacheState, location: Location): L1Fill | undefined {
  return state.l1 && state.bus.live ? state.l1.beginFill(location.entryKey) : undefined;
}

/** Keeps the entry a read found in L1, unless a change to it was announced since `beginFill`. */
export function fillFromRead(state: CacheState, fill: L1Fill | undefined, read: Read): void {
  const { entry } = read;
  if (!fill || !entry || !state.l1) return;
  state.l1.store(fill, {
    value: entry.value,
    // L1 serves only up to the refresh-ahead point, so the refresh is started from a Redis read.
    freshUntil: localTime(read, refreshAt(entry.createdAt, entry.freshUntil, state.config.refreshAhead)),
    errorUntil: localTime(read, entry.errorUntil),
    createdAt: localTime(read, entry.createdAt),
    stamps: entry.stamps.map((stamp) => stamp.key),
    seenAt: read.nowUs,
  });
}

/** A fill that will not be stored (nothing fresh was read, or the read failed). */
export function abandonFill(state: CacheState, fill: L1Fill | undefined): void {
  if (fill) state.l1?.abandon(fill);
}
