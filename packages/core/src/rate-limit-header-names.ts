/**
 * Every header a rediware rate limiter may set on an admitted request, lower-cased, whatever its
 * `headers` mode (draft-8, draft-7, draft-6, legacy): the limiter's per-header toggles name them,
 * and the response cache never stores them (they describe one client's request). One list, so a
 * new header set reaches both.
 */
export const rateLimitHeaderNames = [
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
] as const;

/** One of {@link rateLimitHeaderNames}. */
export type RateLimitHeaderName = (typeof rateLimitHeaderNames)[number];
