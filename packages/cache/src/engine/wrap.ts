import { randomUUID } from 'node:crypto';
import { isRedisError, RediwareError } from '@rediware/core';
import { refreshInBackground, startRefreshAhead } from './background-refresh';
import type { Loader, WrapOptions, WrapResult } from './cache-api';
import type { CacheState } from './cache-state';
import { abandonFill, beginFill, fillFromRead } from './l1-fill';
import { type LoadRequest, load, loadWithoutRedis } from './load';
import { lockAfterRead } from './loader-lock';
import { waitForLoader } from './loader-wait';
import { locate, stampKeysOf } from './location';
import { parseEntryOptions } from './options';
import { callerValue, countOutcome, l1Outcome, type Outcome } from './outcome';
import { type Read, servedOutcome } from './read';
import { readEntry } from './read-entry';
import { refreshAt } from './refresh-ahead';

/** `wrapWithStatus`: L1, else this process's single flight for the key. */
export async function wrapOne<T>(
  state: CacheState,
  key: string,
  loader: Loader<T>,
  options: WrapOptions,
): Promise<WrapResult<T>> {
  if (typeof loader !== 'function') {
    throw new RediwareError('ERR_RW_CACHE_LOADER', `The loader of wrap('${key}') must be a function.`);
  }
  const location = locate(state, key, options.namespace);
  const policy = parseEntryOptions(options, state.config);
  state.bus.start();
  const local = state.l1?.fresh(location.entryKey);
  const outcome: Outcome = local
    ? l1Outcome(local, 'hit')
    : await state.flights.run(location.entryKey, (leave) =>
        flight(state, { location, loader: loader as Loader<unknown>, policy }, leave),
      );
  countOutcome(state, outcome.status);
  return { value: callerValue(state, outcome) as T, status: outcome.status, ageMs: outcome.ageMs };
}

/** One flight per key and process: hit, stale, or elect one loader across processes. */
async function flight(state: CacheState, request: LoadRequest, leave: () => void): Promise<Outcome> {
  const { location } = request;
  const stampKeys = stampKeysOf(state, location, request.policy.tags);
  const token = randomUUID();
  const deadline = Date.now() + state.config.lockWaitMs;
  const subscribed = state.bus.ensure();
  let waited = false;
  for (;;) {
    const expectation = state.signals.expect(location.entryKey);
    const fill = beginFill(state, location);
    let read: Read;
    try {
      read = await readEntry(state, location, token, stampKeys);
      await lockAfterRead(state, location, token, read);
    } catch (error) {
      expectation.cancel();
      abandonFill(state, fill);
      if (!isRedisError(error)) throw error;
      state.reportFailure('wrap', error, true);
      return loadWithoutRedis(state, request);
    }
    const served = servedOutcome(read);
    if (served?.status === 'hit') {
      expectation.cancel();
      fillFromRead(state, fill, read);
      const { entry } = read;
      if (entry && read.now >= refreshAt(entry.createdAt, entry.freshUntil, state.config.refreshAhead)) {
        startRefreshAhead(state, request, token, read);
      }
      return served;
    }
    abandonFill(state, fill);
    if (served) {
      expectation.cancel();
      // The lock came with the read: this caller refreshes, in the background, once across processes.
      if (read.locked) refreshInBackground(state, request, token, read);
      return served;
    }
    const remaining = deadline - Date.now();
    if (read.locked || remaining <= 0) {
      expectation.cancel();
      // Past the wait, call the loader without the lock rather than wait any longer.
      return load(state, request, read.locked ? token : '', read, false, leave);
    }
    if (!waited) state.metrics.coalescedWaits.add();
    waited = true;
    await waitForLoader(expectation, subscribed, remaining);
  }
}
