import { randomUUID } from 'node:crypto';
import { isRedisError, RediwareError } from '@rediware/core';
import { encodeValue } from '../codec/value-codec';
import { readEntries } from './batch-read';
import { writeEntries } from './batch-write';
import type { LoadMany } from './cache-api';
import type { CacheInternals } from './cache-internals';
import { lifetimeOf } from './entry-lifetime';
import { awaitLoader, softTimedOut } from './loader-timeouts';
import type { Location } from './location';
import { type EntryOptions, type EntryPolicy, parseEntryOptions } from './options';
import type { Outcome } from './outcome';
import { localTime, type Read } from './read';
import { acquireLockScript } from './scripts/acquire-lock-script';
import type { StoredEntry } from './stored-entry';
import type { CapturedStamps } from './version-stamps';
import { recheckMs } from './wake-signals';

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
  internals: CacheInternals,
  keys: readonly string[],
  loadMany: LoadMany<unknown>,
  options: EntryOptions,
): Promise<unknown[]> {
  if (typeof loadMany !== 'function') {
    throw new RediwareError('ERR_RW_CACHE_LOADER', 'The loadMany of wrapMany must be a function.');
  }
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const policy = parseEntryOptions(options, internals.config);
  const locations = unique.map((key) => internals.locate(key, options.namespace));
  internals.bus.start();
  const own: Deferred[] = [];
  const outcomes = locations.map((location): Promise<Outcome> => {
    const local = internals.l1?.fresh(location.entryKey);
    if (local) {
      return Promise.resolve({
        encoded: local.value,
        value: undefined,
        status: 'hit',
        ageMs: Date.now() - local.createdAt,
      });
    }
    return internals.flights.run(
      location.entryKey,
      () => new Promise<Outcome>((resolve, reject) => own.push({ location, resolve, reject })),
    );
  });
  if (own.length > 0) {
    // Tracked for close(): past softTimeout the loader outlives this call to fill the cache.
    const flight = batchFlight(internals, own, loadMany, policy);
    internals.background.add(flight);
    void flight.finally(() => internals.background.delete(flight));
  }
  const settled = await Promise.all(outcomes);
  const byKey = new Map<string, Outcome>();
  settled.forEach((outcome, i) => {
    internals.count(outcome.status);
    byKey.set(unique[i] as string, outcome);
  });
  // Decoded per position: every caller (and a key asked twice) gets its own copy.
  return keys.map((key) => internals.valueOf(byKey.get(key) as Outcome));
}

/** The cross-process part of `wrap`'s flight, for many keys at once. Settles every deferred. */
async function batchFlight(
  internals: CacheInternals,
  items: readonly Deferred[],
  loadMany: LoadMany<unknown>,
  policy: EntryPolicy,
): Promise<void> {
  const token = randomUUID();
  const deadline = Date.now() + internals.config.lockWaitMs;
  const subscribed = internals.bus.ensure();
  const loads: Promise<void>[] = [];
  let pending = items;
  try {
    while (pending.length > 0) {
      const expectation = internals.signals.expectAny(pending.map((item) => item.location.entryKey));
      let reads: Read[];
      try {
        reads = await readAndLock(internals, pending, token);
      } catch (error) {
        expectation.cancel();
        if (!isRedisError(error)) throw error;
        internals.reportFailure('wrapMany', error, true);
        loads.push(loadWithoutRedis(internals, pending, loadMany));
        break;
      }
      const remaining = deadline - Date.now();
      const waiting = route(internals, pending, reads, remaining <= 0, token, loadMany, policy, loads);
      pending = waiting;
      if (pending.length === 0) {
        expectation.cancel();
        break;
      }
      await subscribed;
      await expectation.wait(Math.min(remaining, recheckMs * (0.8 + Math.random() * 0.4)));
    }
    await Promise.all(loads);
  } catch (error) {
    for (const item of items) item.reject(error);
  }
}

/** One batch read (filling L1 with what is fresh), then the locks of entries invalidated by stamps. */
async function readAndLock(
  internals: CacheInternals,
  pending: readonly Deferred[],
  token: string,
): Promise<Read[]> {
  const locations = pending.map((item) => item.location);
  const fills = locations.map((location) => internals.beginFill(location));
  try {
    const reads = await readEntries(internals, locations, token);
    await Promise.all(
      reads.map(async (read, i) => {
        if (read.freshness === 'fresh') internals.fillL1(fills[i], read);
        // Fresh by time but invalidated by a stamp: the script did not try the lock.
        if (read.locked || read.triedLock || read.freshness === 'fresh' || read.freshness === 'stale') return;
        const lockKey = (locations[i] as Location).lockKey;
        read.locked =
          (await internals.backend.run(acquireLockScript, [lockKey], [token, internals.config.lockTtlMs])) ===
          1;
      }),
    );
    return reads;
  } finally {
    for (const fill of fills) if (fill) internals.l1?.abandon(fill);
  }
}

/** Settles what a read answers, starts the loads it calls for; returns the keys left waiting. */
function route(
  internals: CacheInternals,
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
    const { entry } = read;
    if (entry && (read.freshness === 'fresh' || read.freshness === 'stale')) {
      item.resolve({
        encoded: entry.value,
        value: undefined,
        status: read.freshness === 'fresh' ? 'hit' : 'stale',
        ageMs: Math.max(0, read.now - entry.createdAt),
      });
      if (read.freshness === 'stale' && read.locked) toRefresh.push({ item, read });
    } else if (read.locked || pastWait) toLoad.push({ item, read });
    else waiting.push(item);
  });
  if (toLoad.length > 0) loads.push(loadBatch(internals, toLoad, loadMany, policy, token, false));
  if (toRefresh.length > 0) {
    // The locks came with the read: this batch refreshes them, in the background, once across processes.
    const task = loadBatch(internals, toRefresh, loadMany, policy, token, true).catch(() => {});
    internals.background.add(task);
    void task.finally(() => internals.background.delete(task));
  }
  return waiting;
}

/**
 * One `loadMany` call for every key of `batch`, then one batch write; as `wrap`'s load, the stamps
 * are read before the loader runs and settled before the write: after an invalidation meanwhile
 * nothing is stored.
 */
async function loadBatch(
  internals: CacheInternals,
  batch: readonly Pending[],
  loadMany: LoadMany<unknown>,
  policy: EntryPolicy,
  token: string,
  background: boolean,
): Promise<void> {
  const locations = batch.map(({ item }) => item.location);
  const stampKeys = internals.stampKeys(locations[0] as Location, policy.tags);
  let captured: CapturedStamps | undefined;
  try {
    captured = await internals.stamps.capture(stampKeys);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    internals.reportFailure('wrapMany', error, true);
  }
  let values: unknown[];
  try {
    values = valuesInOrder(await awaitLoadMany(internals, batch, loadMany, background), locations);
  } catch (error) {
    await failBatch(internals, batch, token, background, error);
    return;
  }
  const encoded = values.map((value, i) =>
    policy.ttlMs === 0 ? undefined : internals.encode(locations[i] as Location, value),
  );
  const writes = locations.flatMap((location, i) => (encoded[i] ? [{ location, encoded: encoded[i] }] : []));
  await Promise.all(
    locations.map((location, i) => (encoded[i] ? undefined : internals.release(location, token))),
  );
  try {
    const stamps =
      captured && writes.length > 0
        ? await internals.stamps.settle(captured, stampKeys, lifetimeOf(policy))
        : undefined;
    if (stamps) await writeEntries(internals, writes, policy, stamps, token);
    else await Promise.all(writes.map(({ location }) => internals.release(location, token)));
  } catch (error) {
    if (!isRedisError(error)) throw error;
    internals.reportFailure('wrapMany', error, true);
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
  internals: CacheInternals,
  batch: readonly Pending[],
  loadMany: LoadMany<unknown>,
  background: boolean,
): Promise<unknown> {
  const { config } = internals;
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

/** The entry a read found, while stale-if-error may still serve it. */
function servableOnError(read: Read, now: number): StoredEntry | undefined {
  const usable = read.entry && read.freshness !== 'invalid' ? read.entry : undefined;
  return usable && localTime(read, usable.errorUntil) > now ? usable : undefined;
}

function staleOutcome(entry: StoredEntry, read: Read): Outcome {
  return {
    encoded: entry.value,
    value: undefined,
    status: 'stale',
    ageMs: Math.max(0, read.now - entry.createdAt),
  };
}

/** `loadMany` failed: every key gives its lock back, then is served stale-if-error or rejects. */
async function failBatch(
  internals: CacheInternals,
  batch: readonly Pending[],
  token: string,
  background: boolean,
  error: unknown,
): Promise<void> {
  internals.metrics.errors.add();
  await Promise.all(batch.map(({ item }) => internals.release(item.location, token)));
  for (const { item, read } of batch) {
    const servable = background ? undefined : servableOnError(read, Date.now());
    internals.events.emit('loaderError', {
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
  internals: CacheInternals,
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
      item.resolve({ encoded: tryEncode(internals, values[i]), value: values[i], status: 'miss', ageMs: 0 });
    });
  } catch (error) {
    internals.metrics.errors.add();
    for (const item of pending) {
      const local = internals.l1?.usableOnError(item.location.entryKey);
      internals.events.emit('loaderError', {
        key: item.location.key,
        error,
        servedStale: Boolean(local),
        background: false,
      });
      if (local)
        item.resolve({
          encoded: local.value,
          value: undefined,
          status: 'stale',
          ageMs: Date.now() - local.createdAt,
        });
      else item.reject(error);
    }
  }
}

function tryEncode(internals: CacheInternals, value: unknown) {
  try {
    return encodeValue(value, internals.config.serializer);
  } catch {
    return undefined;
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
