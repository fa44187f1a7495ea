import { isRedisError } from '@rediware/core';
import type { CacheState } from './cache-state';
import { type LoadRequest, load } from './load';
import { acquireLock } from './loader-lock';
import type { Read } from './read';

/** refreshAhead: the first reader past the point takes the lock and refreshes, once across processes. */
export function startRefreshAhead(state: CacheState, request: LoadRequest, token: string, read: Read): void {
  state.track(refreshAhead(state, request, token, read));
}

async function refreshAhead(
  state: CacheState,
  request: LoadRequest,
  token: string,
  read: Read,
): Promise<void> {
  try {
    if (await acquireLock(state, request.location, token)) refreshInBackground(state, request, token, read);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrap', error, true);
  }
}

/** Reloads a stale entry whose lock this caller holds, with no caller waiting for it. */
export function refreshInBackground(
  state: CacheState,
  request: LoadRequest,
  token: string,
  read: Read,
): void {
  state.track(load(state, request, token, read, true));
}
