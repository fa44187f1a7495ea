import { isRedisError } from '@rediware/core';
import type { Loader } from './cache-api';
import type { CacheState } from './cache-state';
import { load } from './load';
import { acquireLock } from './loader-lock';
import type { Location } from './location';
import type { EntryPolicy } from './options';
import type { Read } from './read';

/** refreshAhead: the first reader past the point takes the lock and refreshes, once across processes. */
export function startRefreshAhead(
  state: CacheState,
  location: Location,
  loader: Loader<unknown>,
  policy: EntryPolicy,
  token: string,
  read: Read,
): void {
  state.track(refreshAhead(state, location, loader, policy, token, read));
}

async function refreshAhead(
  state: CacheState,
  location: Location,
  loader: Loader<unknown>,
  policy: EntryPolicy,
  token: string,
  read: Read,
): Promise<void> {
  try {
    if (await acquireLock(state, location, token))
      refreshInBackground(state, location, loader, policy, token, read);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('wrap', error, true);
  }
}

/** Reloads a stale entry whose lock this caller holds, with no caller waiting for it. */
export function refreshInBackground(
  state: CacheState,
  location: Location,
  loader: Loader<unknown>,
  policy: EntryPolicy,
  token: string,
  read: Read,
): void {
  state.track(load(state, location, loader, policy, token, read, true));
}
