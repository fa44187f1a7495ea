// The routes every configuration serves, and the one handler body they all answer with, so the
// only difference between two configurations is the middleware under test.

/** The route under load: under the limit, a read-only session request, a per-request lock. */
export const mainPath = '/';
/** The mostly-blocked rate limit run: a limit of `blockedLimit` per minute. */
export const blockedPath = '/blocked';
/** Creates a session (warm-up only); answers like the main route without one. */
export const loginPath = '/login';

export const underLimit = 1_000_000_000;
export const blockedLimit = 10;
export const windowMs = 60_000;
/** Lock ttl of the per-request lock configurations. */
export const lockTtlMs = 10_000;

export const payload = { hello: 'world' } as const;

export const sessionSecret = 'bench-secret-bench-secret-bench-secret-0123456789';
export const sessionMaxAgeMs = 86_400_000;
export const sessionUser = 'bench-user';

/** The response cache's route: a handler that answers after `slowHandlerMs`. */
export const cachePath = '/cached';
export const slowHandlerMs = 20;
/** Freshness of the cached responses: longer than any run, so the hit rows only ever hit. */
export const cacheTtlMs = 600_000;

/** The response cache's route with a larger body, stored gzip-compressed (above `compressAbove`). */
export const largeCachePath = '/cached-large';
/** About 8 KB of JSON: a list of 120 items. */
export const largePayload = {
  items: Array.from({ length: 120 }, (_, id) => ({
    id,
    name: `item number ${id}`,
    price: id * 1.5,
    tags: ['a', 'b', 'c'],
  })),
};
