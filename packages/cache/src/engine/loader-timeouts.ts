import { RediwareError } from '@rediware/core';

/** The factory timeouts of one load, in ms (undefined: none). */
export interface LoaderTimeouts {
  readonly softTimeoutMs: number | undefined;
  readonly hardTimeoutMs: number | undefined;
}

/** The loader ran past softTimeout while a stale value could be served: serve it, let the loader finish. */
export const softTimedOut: unique symbol = Symbol('softTimedOut');

/**
 * Waits for a running loader. Past `hardTimeoutMs` (from `startedAt`) it rejects with
 * ERR_RW_CACHE_LOADER_TIMEOUT; past `softTimeoutMs`, only when `canServeStale`, it resolves with
 * `softTimedOut` and the loader keeps running for the caller to finish in the background.
 * `loader` names it in the error: "the loader of 'k'".
 */
export function awaitLoader<T>(
  loading: Promise<T>,
  timeouts: LoaderTimeouts,
  loader: string,
  startedAt: number,
  canServeStale: boolean,
): Promise<T | typeof softTimedOut> {
  const { softTimeoutMs, hardTimeoutMs } = timeouts;
  const soft = canServeStale ? softTimeoutMs : undefined;
  if (soft === undefined && hardTimeoutMs === undefined) return loading;
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const settle = (finish: () => void) => {
      for (const timer of timers) clearTimeout(timer);
      finish();
    };
    if (soft !== undefined && (hardTimeoutMs === undefined || soft < hardTimeoutMs)) {
      timers.push(setTimeout(() => settle(() => resolve(softTimedOut)), soft - (Date.now() - startedAt)));
    }
    if (hardTimeoutMs !== undefined) {
      const error = new RediwareError(
        'ERR_RW_CACHE_LOADER_TIMEOUT',
        `${loader.charAt(0).toUpperCase()}${loader.slice(1)} took longer than hardTimeout (${hardTimeoutMs} ms); the cache gave up on it.`,
      );
      timers.push(setTimeout(() => settle(() => reject(error)), hardTimeoutMs - (Date.now() - startedAt)));
    }
    loading.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
