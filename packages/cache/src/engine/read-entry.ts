import { performance } from 'node:perf_hooks';
import type { CacheState } from './cache-state';
import { type Location, oneScriptReaches } from './location';
import { entryOf, type Read, readOf, stampsToCheck } from './read';
import { readEntryScript } from './scripts/read-entry-script';
import { readEntryStampsScript } from './scripts/read-entry-stamps-script';

/**
 * Reads one entry: one round trip, then one per stamp it recorded that this process does not
 * remember (see StampMemory). With a token, the loader lock is tried in the same round trip when
 * the entry is not fresh. `stampKeys` (those the caller's entry depends on) are read in that round
 * trip too where one script reaches them (a standalone server): they check the entry and are the
 * read's capture for a loader.
 */
export async function readEntry(
  state: CacheState,
  location: Location,
  token: string,
  stampKeys: readonly string[] = [],
): Promise<Read> {
  if (stampKeys.length > 0 && oneScriptReaches(state, location, stampKeys)) {
    return readWithStamps(state, location, token, stampKeys);
  }
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

async function readWithStamps(
  state: CacheState,
  location: Location,
  token: string,
  stampKeys: readonly string[],
): Promise<Read> {
  const localNow = Date.now();
  const sentAt = performance.now();
  const epoch = state.stampMemory.begin();
  const [versions, ...reply] = await state.backend.run(
    readEntryStampsScript,
    [location.entryKey, location.lockKey, ...stampKeys],
    [token, state.config.lockTtlMs],
    { buffers: true, batch: true },
  );
  const captured = state.stamps.readAlong(stampKeys, versions.map(String), epoch, sentAt);
  const entry = entryOf(reply);
  const checked = stampsToCheck(entry, Number(reply[0]));
  const current = checked.length === 0 || (await state.stamps.valid(checked, captured));
  return readOf(reply, entry, localNow, token, current, captured);
}
