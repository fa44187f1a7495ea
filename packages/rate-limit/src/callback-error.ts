import { RediwareError } from '@rediware/core';

/**
 * What a user callback (key, cost, skip, handler) threw or rejected with, as an Error for the
 * framework's error path. Anything else is wrapped: `next(undefined)` or `done(undefined)` would
 * go on to the route unlimited, and `next('route')` would skip it.
 */
export function callbackError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  return new RediwareError(
    'ERR_RW_RATE_LIMIT_CALLBACK',
    `A rate limit callback threw or rejected with ${describe(reason)} instead of an Error.`,
    { cause: reason },
  );
}

function describe(reason: unknown): string {
  if (typeof reason === 'string')
    return JSON.stringify(reason.length > 60 ? `${reason.slice(0, 60)}…` : reason);
  return reason === null || typeof reason !== 'object' ? String(reason) : 'an object';
}
