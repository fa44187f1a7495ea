import { isRedisError } from '@rediware/core';
import type { CacheState } from './cache-state';
import type { Location } from './location';
import type { Read } from './read';
import { acquireLockScript } from './scripts/acquire-lock-script';
import { releaseLockScript } from './scripts/release-lock-script';

/** Takes the loader lock of `location` for `token`; true when taken. */
export async function acquireLock(state: CacheState, location: Location, token: string): Promise<boolean> {
  const taken = await state.backend.run(
    acquireLockScript,
    [location.lockKey],
    [token, state.config.lockTtlMs],
  );
  return taken === 1;
}

/** After a read with `token`: an entry fresh by time but invalidated by a stamp was read without trying the lock. */
export async function lockAfterRead(
  state: CacheState,
  location: Location,
  token: string,
  read: Read,
): Promise<void> {
  if (read.locked || read.triedLock || read.freshness === 'fresh' || read.freshness === 'stale') return;
  read.locked = await acquireLock(state, location, token);
}

/** Gives the lock back without writing, and wakes the waiters so one of them loads. */
export async function releaseLock(state: CacheState, location: Location, token: string): Promise<void> {
  if (token === '') return;
  try {
    await state.backend.run(
      releaseLockScript,
      [location.lockKey],
      [token, state.bus.channel, state.bus.keysMessageHead([location.entryKey])],
    );
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('release', error, true);
  }
}
