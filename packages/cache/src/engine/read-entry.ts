import type { CacheState } from './cache-state';
import type { Location } from './location';
import { entryOf, type Read, readOf, stampsToCheck } from './read';
import { readEntryScript } from './scripts/read-entry-script';

/**
 * Reads one entry: one round trip, then one per stamp it recorded, if any. With a token, the
 * loader lock is tried in the same round trip when the entry is not fresh.
 */
export async function readEntry(state: CacheState, location: Location, token: string): Promise<Read> {
  const localNow = Date.now();
  const reply = await state.backend.run(
    readEntryScript,
    [location.entryKey, location.lockKey],
    [token, state.config.lockTtlMs],
    { buffers: true },
  );
  const entry = entryOf(reply);
  const checked = stampsToCheck(entry, Number(reply[0]));
  return readOf(reply, entry, localNow, token, checked.length === 0 || (await state.stamps.valid(checked)));
}
