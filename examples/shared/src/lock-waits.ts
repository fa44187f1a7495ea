import { LockBusyError, type Locker } from '@rediware/lock';

/**
 * Makes `locker.acquire` call `onWait` whenever the key was held and the caller had to wait.
 * The locker emits no event for that today, so a first try without waiting tells a free key
 * from a held one; only contended acquisitions pay the extra round trip.
 */
export function countLockWaits(locker: Locker, onWait: () => void): Locker {
  const acquire = locker.acquire.bind(locker);
  locker.acquire = async (key, options) => {
    if (!options.wait) return acquire(key, options);
    try {
      return await acquire(key, { ...options, wait: 0 });
    } catch (error) {
      if (!(error instanceof LockBusyError)) throw error;
      onWait();
      return acquire(key, options);
    }
  };
  return locker;
}
