import { performance } from 'node:perf_hooks';
import { isRedisError } from '@rediware/core';
import type { CacheState } from './cache-state';
import { type Location, oneScriptReaches } from './location';
import { entryOf, type Read, readOf, stampsToCheck } from './read';
import { type ReadEntryReply, readEntryScript } from './scripts/read-entry-script';
import { readEntryStampsScript } from './scripts/read-entry-stamps-script';
import type { CapturedStamps } from './version-stamps';

/**
 * Reads one entry: one round trip, then one per stamp it recorded that this process does not
 * remember (see StampMemory). With a token, the loader lock is tried in the same round trip when
 * the entry is not fresh. `stampKeys` (those the caller's entry depends on) are read in that round
 * trip too where one script reaches them (a standalone server): they check the entry and are the
 * read's capture for a loader; elsewhere they are read beside it, in parallel.
 */
export async function readEntry(
  state: CacheState,
  location: Location,
  token: string,
  stampKeys: readonly string[] = [],
): Promise<Read> {
  if (stampKeys.length > 0) {
    return oneScriptReaches(state, location, stampKeys)
      ? readWithStamps(state, location, token, stampKeys)
      : readBesideStamps(state, location, token, stampKeys);
  }
  const localNow = Date.now();
  return settleRead(state, await readOnly(state, location, token), localNow, token, undefined);
}

/** The read rule on a reply: an entry that may still be served is checked against its stamps. */
async function settleRead(
  state: CacheState,
  reply: ReadEntryReply,
  localNow: number,
  token: string,
  captured: CapturedStamps | undefined,
): Promise<Read> {
  const entry = entryOf(reply);
  const checked = stampsToCheck(entry, Number(reply[0]));
  const current = checked.length === 0 || (await state.stamps.valid(checked, captured));
  return readOf(reply, entry, localNow, token, current, captured);
}

function readOnly(state: CacheState, location: Location, token: string): Promise<ReadEntryReply> {
  return state.backend.run(
    readEntryScript,
    [location.entryKey, location.lockKey],
    [token, state.config.lockTtlMs],
    {
      buffers: true,
    },
  );
}

/**
 * Where no one script reaches them (a cluster): the entry's script and the stamps' scripts (their
 * capture) sent together, so the read waits for one round trip, not two. A capture that fails is
 * left to the loader, which captures again (and reports a failure) before it runs.
 */
async function readBesideStamps(
  state: CacheState,
  location: Location,
  token: string,
  stampKeys: readonly string[],
): Promise<Read> {
  const localNow = Date.now();
  const [reply, captured] = await Promise.all([
    readOnly(state, location, token),
    state.stamps.capture(stampKeys).catch((error: unknown) => {
      if (!isRedisError(error)) throw error;
      return undefined;
    }),
  ]);
  return settleRead(state, reply, localNow, token, captured);
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
  return settleRead(state, reply, localNow, token, captured);
}
