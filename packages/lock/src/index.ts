/**
 * Distributed locks on Redis (`createLocker`): fencing tokens, waiters, auto-extension,
 * semaphores and multi-key locks.
 *
 * @module @rediware/lock
 */
export { ClientGoneError, LockAbortedError, LockBusyError, LockLostError, LockTimeoutError } from './errors';
export type { Lock } from './held-lock';
export { type LockMetrics, lockMetricSpecs, lockWaitSpec } from './lock-metrics';
export { createLocker, Locker, type LockerEvents, type LockLostEvent } from './locker';
export type { AcquireOptions, GuardRouteOptions, LockerOptions, PerRequest } from './options';
