import { randomUUID } from 'node:crypto';
import { isRedisError, RediwareError } from '@rediware/core';
import { readEntries } from './batch-read';
import { writeEntries } from './batch-write';
import type { LoadMany } from './cache-api';
import type { CacheState } from './cache-state';
import { encodeEntry, tryEncode } from './entry-encoding';
import { lifetimeOf } from './entry-lifetime';
import { abandonFill, beginFill, fillFromRead } from './l1-fill';
import { lockAfterRead, releaseLock } from './loader-lock';
import { awaitLoader, softTimedOut } from './loader-timeouts';
import { waitForLoader } from './loader-wait';
import { type Location, locate, stampKeysOf } from './location';
import { type EntryOptions, type EntryPolicy, parseEntryOptions } from './options';
import { callerValue, countOutcome, l1Outcome, type Outcome } from './outcome';
import { type Read, servableOnError, servedOutcome, staleOutcome } from './read';
import type { CapturedStamps } from './version-stamps';

interface Deferred {
  readonly location: Location;
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

interface Pending {
  readonly item: Deferred;
  readonly read: Read;
}

/**
 * `wrapMany`: per key the single flight of `wrap` (a key already in flight in this process, from
 * `wrap` or another batch, is joined; across processes the same loader locks and bus wake-ups),
 * with every read batched and every miss loaded by one `loadMany` call.
 */
export async function wrapMany(
  state: CacheState,
  keys: readonly string[],
  loadMany: LoadMany<unknown>,
  options: EntryOptions,
): Promise<unknown[]> {
  if (typeof loadMany !== 'function') {
    throw new RediwareError('ERR_RW_CACHE_LOADER', 'The loadMany of wrapMany must be a function.');
  }
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const policy = parseEntryOptions(options, state.config);
  const locations = unique.map((key) => locate(state, key, options.namespace));
  state.bus.start();
  const own: Deferred[] = [];
  const outcomes = locations.map((location): Promise<Outcome> => {
    const local = state.l1?.fresh(location.entryKey);
    if (local) return Promise.resolve(l1Outcome(local, 'hit'));
    return state.flights.run(
      location.entryKey,
      () => new Promise<Outcome>((resolve, reject) => own.push({ location, resolve, reject })),
    );
  });
  if (own.length > 0) {
    // Tracked for close(): past softTimeout the loader outlives this call to fill the cache.
    state.track(batchFlight(state, own, loadMany, policy));
  }
  const settled = await Promise.all(outcomes);
  const byKey = new Map<string, Outcome>();
  settled.forEach((outcome, i) => {
    countOutcome(state, outcome.status);
    byKey.set(unique[i] as string, outcome);
  });
  // Decoded per position: every caller (and a key asked twice) gets its own copy.
  return keys.map((key) => callerValue(state, byKey.get(key) as Outcome));
}

/** The cross-process part of `wrap`'s flight, for many keys at once. Settles every deferred. */
async function batchFlight(
  state: CacheState,
  items: readonly Deferred[],
  loadMany: LoadMany<unknown>,
  policy: EntryPolicy,
): Promise<void> {
  const token = randomUUID();
  const deadline = Date.now() + state.config.lockWaitMs;
  const subscribed = state.bus.ensure();
  const loads: Promise<void>[] = [];
  let pending = items;
  try {
    while (pending.length > 0) {
      const expectation = state.signals.expectAny(pending.map((item) => item.location.entryKey));
      let reads: Read[];
      try {
        reads = await readAndLock(state, pending, token);
      } catch (error) {
        expectation.cancel();
        if (!isRedisError(error)) throw error;
        state.reportFailure('wrapMany', error, true);
        loads.push(loadWithoutRedis(state, pending, loadMany));
        break;
      }
      const remaining = deadline - Date.now();
      pending = route(state, pending, reads, remaining <= 0, token, loadMany, policy, loads);
      if (pending.length === 0) {
        expectation.cancel();
        break;
      }
      await waitForLoader(expectation, subscribed, remaining);
    }
    await Promise.all(loads);
  } catch (error) {
    for (const item of items) item.reject(error);
  }
}

/** One batch read (filling L1 with what is fresh), then the locks of entries invalidated by stamps. */
async function readAndLock(state: CacheState, pending: readonly Deferred[], token: string): Promise<Read[]> {
  const locations = pending.map((item) => item.location);
  const fills = locations.map((location) => beginFill(state, location));
  try {
    const reads = await readEntries(state, locations, token);
    await Promise.all(
      reads.map(async (read, i) => {
        if (read.freshness === 'fresh') fillFromRead(state, fills[i], read);
        await lockAfterRead(state, locations[i] as Location, token, read);
      }),
    );
    return reads;
  } finally {
    for (const fill of fills) abandonFill(state, fill);
  }
}

/** Settles what a read answers, starts the loads it calls for; returns the keys left waiting. */
function route(
  state: CacheState,
  pending: readonly Deferred[],
  reads: readonly Read[],
  pastWait: boolean,
  token: string,
  loadMany: LoadMany<unknown>,
  policy: EntryPolicy,
  loads: Promise<void>[],
): Deferred[] {
  const waiting: Deferred[] = [];
  const toLoad: Pending[] = [];
  const toRefresh: Pending[] = [];
  pending.forEach((item, i) => {
    const read = reads[i] as Read;
    const served = servedOutcome(read);
    if (served) {
      item.resolve(served);
      if (served.status === 'stale' && read.locked) toRefresh.push({ item, read });
    } else if (read.locked || pastWait) toLoad.push({ item, read });
    else waiting.push(item);
  });
  if (toLoad.length > 0) loads.push(loadBatch(state, toLoad, loadMany, policy, token, false));
  // The locks came with the read: this batch refreshes them, in the background, once across processes.
  if (toRefresh.length > 0) state.track(loadBatch(state, toRefresh, loadMany, policy, token, true));
  return waiting;
}

/**
 * One `loadMany` call for every key of `batch`, then one batch write; as `wrap`'s load, the stamps
 * are read before the loader runs and settled before the write: after an invalidation meanwhile
 * nothing is stored.
 */
async function loadBatch(
  state: CacheState,
  batch: readonly Pending[],
  loadMany: LoadMany<unknown>,
  policy: EntryPolicy,
  token: string,
  background: boolean,
): Promise<void> {
  const locations = batch.map(({ item }) => item.location);
  const stampKeys = stampKeysOf(state, locations[0] as Location, policy.tags);
  let captured: CapturedStamps | undefined;
  try {
    captured = await state.stamps.capture(stampKeys);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrapMany', error, true);
  }
  let values: unknown[];
  try {
    values = valuesInOrder(await awaitLoadMany(state, batch, loadMany, background), locations);
  } catch (error) {
    await failBatch(state, batch, token, background, error);
    return;
  }
  const encoded = values.map((value, i) =>
    policy.ttlMs === 0 ? undefined : encodeEntry(state, locations[i] as Location, value),
  );
  const writes = locations.flatMap((location, i) => (encoded[i] ? [{ location, encoded: encoded[i] }] : []));
  await Promise.all(
    locations.map((location, i) => (encoded[i] ? undefined : releaseLock(state, location, token))),
  );
  try {
    const stamps =
      captured && writes.length > 0
        ? await state.stamps.settle(captured, stampKeys, lifetimeOf(policy))
        : undefined;
    if (stamps) await writeEntries(state, writes, policy, stamps, token);
    else await Promise.all(writes.map(({ location }) => releaseLock(state, location, token)));
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrapMany', error, true);
  }
  batch.forEach(({ item }, i) => {
    item.resolve({
      encoded: encoded[i],
      value: encoded[i] ? undefined : values[i],
      status: 'miss',
      ageMs: 0,
    });
  });
}

/**
 * Runs `loadMany` under the factory timeouts, for the batch as a whole. Past softTimeout, each key
 * with a stale-if-error value is answered with it at once; the loader keeps running (still bounded
 * by hardTimeout) and its values are cached and answer the other keys. Past hardTimeout it rejects
 * with ERR_RW_CACHE_LOADER_TIMEOUT.
 */
async function awaitLoadMany(
  state: CacheState,
  batch: readonly Pending[],
  loadMany: LoadMany<unknown>,
  background: boolean,
): Promise<unknown> {
  const { config } = state;
  const keys = batch.map(({ item }) => item.location.key);
  const named = keys.slice(0, 3).map((key) => `'${key}'`);
  if (keys.length > 3) named.push(`${keys.length - 3} more`);
  const label = `the loadMany of wrapMany(${named.join(', ')})`;
  const startedAt = Date.now();
  const loading = Promise.resolve().then(() => loadMany(keys, { refreshing: background }));
  const stale = batch.map(({ read }) => (background ? undefined : servableOnError(read, startedAt)));
  const settled = await awaitLoader(loading, config, label, startedAt, stale.some(Boolean));
  if (settled !== softTimedOut) return settled;
  batch.forEach(({ item, read }, i) => {
    const entry = stale[i];
    if (entry) item.resolve(staleOutcome(entry, read));
  });
  const bounded = { softTimeoutMs: undefined, hardTimeoutMs: config.hardTimeoutMs };
  return awaitLoader(loading, bounded, label, startedAt, false);
}

/** `loadMany` failed: every key gives its lock back, then is served stale-if-error or rejects. */
async function failBatch(
  state: CacheState,
  batch: readonly Pending[],
  token: string,
  background: boolean,
  error: unknown,
): Promise<void> {
  state.metrics.errors.add();
  await Promise.all(batch.map(({ item }) => releaseLock(state, item.location, token)));
  for (const { item, read } of batch) {
    const servable = background ? undefined : servableOnError(read, Date.now());
    state.events.emit('loaderError', {
      key: item.location.key,
      error,
      servedStale: Boolean(servable),
      background,
    });
    // A key already answered stale past softTimeout stays so (a second resolve is a no-op).
    if (servable) item.resolve(staleOutcome(servable, read));
    else item.reject(error);
  }
}

/** Redis failed: fail open with one `loadMany` call; stale-if-error from L1 when it fails too. */
async function loadWithoutRedis(
  state: CacheState,
  pending: readonly Deferred[],
  loadMany: LoadMany<unknown>,
): Promise<void> {
  const locations = pending.map((item) => item.location);
  try {
    const values = valuesInOrder(
      await loadMany(
        locations.map((location) => location.key),
        { refreshing: false },
      ),
      locations,
    );
    pending.forEach((item, i) => {
      item.resolve({ encoded: tryEncode(state, values[i]), value: values[i], status: 'miss', ageMs: 0 });
    });
  } catch (error) {
    state.metrics.errors.add();
    for (const item of pending) {
      const local = state.l1?.usableOnError(item.location.entryKey);
      state.events.emit('loaderError', {
        key: item.location.key,
        error,
        servedStale: Boolean(local),
        background: false,
      });
      if (local) item.resolve(l1Outcome(local, 'stale'));
      else item.reject(error);
    }
  }
}

function valuesInOrder(result: unknown, locations: readonly Location[]): unknown[] {
  if (result instanceof Map) return locations.map((location) => result.get(location.key));
  if (Array.isArray(result) && result.length === locations.length) return result;
  throw new RediwareError(
    'ERR_RW_CACHE_LOADER',
    `loadMany must return an array of ${locations.length} values in the order of its keys, or a Map by key.`,
  );
}
