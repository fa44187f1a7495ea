import { isRedisError } from '@rediware/core';
import { decodeValue } from '../codec/value-codec';
import type { Loader } from './cache-api';
import type { CacheState } from './cache-state';
import { encodeEntry, tryEncode } from './entry-encoding';
import { lifetimeOf } from './entry-lifetime';
import { writeSettled } from './entry-settled-write';
import { writeEntry } from './entry-write';
import { LoaderContext } from './load-context';
import { releaseLock } from './loader-lock';
import { awaitLoader, softTimedOut } from './loader-timeouts';
import { type Location, oneScriptReaches, stampKeysOf } from './location';
import type { EntryPolicy } from './options';
import { l1Outcome, type Outcome } from './outcome';
import { type Read, servableOnError, staleOutcome, usableEntry } from './read';
import type { StoredEntry } from './stored-entry';
import type { CapturedStamps } from './version-stamps';
import type { WriteGuard } from './write-guard';

/** One key to load: where it lives, its loader, and the entry options of the call. */
export interface LoadRequest {
  readonly location: Location;
  readonly loader: Loader<unknown>;
  readonly policy: EntryPolicy;
}

/**
 * Runs the loader and stores its value. The stamps are read before the loader runs and settled
 * before the write, so after an invalidation that lands while it runs nothing is stored. `token`
 * is the held lock ('' for none), released by the write or, when nothing is written, on its own.
 */
export async function load(
  state: CacheState,
  request: LoadRequest,
  token: string,
  read: Read,
  background: boolean,
  /** Called once the loader's value is in: from then on, new callers do not join this flight. */
  leave: () => void = () => {},
): Promise<Outcome> {
  const { location, loader, policy } = request;
  // Read with the entry when one script could reach them, else now.
  let stamps = read.captured;
  try {
    stamps ??= await state.stamps.capture(stampKeysOf(state, location, policy.tags));
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrap', error, true);
  }
  const usable = usableEntry(read);
  const context = new LoaderContext(
    location.key,
    background,
    policy,
    state.config,
    await previousValue(state, read, usable),
  );
  const startedAt = Date.now();
  const loading = Promise.resolve().then(() => loader(context));
  let value: unknown;
  try {
    const canServeStale = Boolean(!background && servableOnError(read, startedAt));
    const settled = await awaitLoader(
      loading,
      state.config,
      `the loader of '${location.key}'`,
      startedAt,
      canServeStale,
    );
    if (settled === softTimedOut && usable) {
      // softTimeout: the caller gets the stale value now; the loader still updates the cache.
      finishLate(state, location, loading, context, stamps, token, startedAt);
      return staleOutcome(usable, read);
    }
    value = settled;
    // The value is in; writing it takes more round trips. A caller arriving now, perhaps after
    // an invalidation, reads Redis (waiting on the lock until the write) rather than take this value.
    leave();
  } catch (error) {
    state.metrics.errors.add();
    await releaseLock(state, location, token);
    const servable = background ? undefined : servableOnError(read, Date.now());
    state.events.emit('loaderError', {
      key: location.key,
      error,
      servedStale: Boolean(servable),
      background,
    });
    if (servable) return staleOutcome(servable, read);
    throw error;
  }
  return store(state, location, value, context, stamps, token);
}

/**
 * What the loader sees as `context.previous`: the entry read, unless fresh (no loader then) or
 * invalidated. An expired entry's stamps are checked here: the read checks only servable ones.
 */
async function previousValue(
  state: CacheState,
  read: Read,
  usable: StoredEntry | undefined,
): Promise<unknown> {
  if (!usable) return undefined;
  try {
    if (read.freshness === 'expired' && !(await state.stamps.valid(usable.stamps))) return undefined;
    return decodeValue(usable.value, state.config.serializer);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrap', error, true);
    return undefined;
  }
}

/** A loader past softTimeout: stores its value when it finishes (hardTimeout still bounds it). */
function finishLate(
  state: CacheState,
  location: Location,
  loading: Promise<unknown>,
  context: LoaderContext,
  stamps: CapturedStamps | undefined,
  token: string,
  startedAt: number,
): void {
  const bounded = { softTimeoutMs: undefined, hardTimeoutMs: state.config.hardTimeoutMs };
  const task = awaitLoader(loading, bounded, `the loader of '${location.key}'`, startedAt, false).then(
    (value) => store(state, location, value, context, stamps, token),
    async (error: unknown) => {
      state.metrics.errors.add();
      await releaseLock(state, location, token);
      state.events.emit('loaderError', { key: location.key, error, servedStale: true, background: true });
    },
  );
  state.track(task);
}

/** Caches what a loader returned (unless it asked not to) and gives the lock back. */
async function store(
  state: CacheState,
  location: Location,
  value: unknown,
  context: LoaderContext,
  captured: CapturedStamps | undefined,
  token: string,
): Promise<Outcome> {
  const final = context.policy;
  const kept = final.ttlMs > 0 || final.keepMs > 0;
  const encoded = context.skipped || !kept ? undefined : encodeEntry(state, location, value);
  if (!encoded) {
    await releaseLock(state, location, token);
    return { encoded: undefined, value, status: 'miss', ageMs: 0 };
  }
  const guard = context.guard;
  try {
    // Without the stamps read before the loader ran, or when one moved since (the value may
    // predate an invalidation), nothing is stored.
    const stampKeys = stampKeysOf(state, location, final.tags);
    if (!captured) await releaseLock(state, location, token);
    else if (oneScriptReaches(state, location, [...stampKeys, ...(guard?.keys ?? [])]))
      await writeSettled(state, { location, encoded }, final, stampKeys, captured, token, guard);
    else if (guard && !(await passes(state, guard))) await releaseLock(state, location, token);
    else {
      const stamps = await state.stamps.settle(captured, stampKeys, lifetimeOf(final));
      if (stamps) await writeEntry(state, location, encoded, final, stamps, token);
      else await releaseLock(state, location, token);
    }
  } catch (error) {
    if (!isRedisError(error)) throw error;
    guard?.refused(undefined);
    state.reportFailure('wrap', error, true);
  }
  return { encoded, value: undefined, status: 'miss', ageMs: 0 };
}

/**
 * Runs `guard`'s check on its own, where the write's script cannot reach its keys. A check that
 * Redis fails refuses the write (the lock is then given back, as after any refusal).
 */
async function passes(state: CacheState, guard: WriteGuard): Promise<boolean> {
  let reply: number | undefined;
  try {
    reply = Number(await state.backend.run(guard.script, guard.keys, guard.args));
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrap', error, true);
  }
  if (reply === 1) return true;
  guard.refused(reply);
  return false;
}

/** Redis failed: fail open with the loader; stale-if-error from L1 when the loader fails too. */
export async function loadWithoutRedis(state: CacheState, request: LoadRequest): Promise<Outcome> {
  const { location, loader, policy } = request;
  const context = new LoaderContext(location.key, false, policy, state.config);
  try {
    const value = await loader(context);
    return { encoded: tryEncode(state, value), value, status: 'miss', ageMs: 0 };
  } catch (error) {
    state.metrics.errors.add();
    const local = state.l1?.usableOnError(location.entryKey);
    state.events.emit('loaderError', {
      key: location.key,
      error,
      servedStale: Boolean(local),
      background: false,
    });
    if (!local) throw error;
    return l1Outcome(local, 'stale');
  }
}
