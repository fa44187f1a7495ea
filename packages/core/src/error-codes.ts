/**
 * Every `code` a rediware package gives an error or a problem+json body, grouped by the package
 * that uses it. A code never changes meaning once published; the core README's Errors table
 * describes each one (a test keeps the two the same).
 */
export const rediwareErrorCodes = [
  // @rediware/core
  'ERR_RW_CONFIG',
  'ERR_RW_CROSS_SLOT',
  'ERR_RW_REDIS_UNAVAILABLE',
  'ERR_RW_REDIS_TIMEOUT',
  'ERR_RW_REDIS_NOT_CONNECTED',
  'ERR_RW_REDIS_COMMAND',
  'ERR_RW_REDIS_REFUSED',
  // @rediware/rate-limit
  'ERR_RW_RATE_LIMITED',
  'ERR_RW_RATE_LIMIT_BANNED',
  'ERR_RW_RATE_LIMIT_KEY',
  'ERR_RW_RATE_LIMIT_COST',
  'ERR_RW_RATE_LIMIT_LIMIT',
  'ERR_RW_RATE_LIMIT_MESSAGE',
  'ERR_RW_RATE_LIMIT_CALLBACK',
  // @rediware/session
  'ERR_RW_SESSION_ID',
  'ERR_RW_SESSION_USER_ID',
  'ERR_RW_SESSION_NO_USER_INDEX',
  'ERR_RW_SESSION_TTL',
  'ERR_RW_SESSION_DATA',
  'ERR_RW_SESSION_CORRUPT',
  // @rediware/cache
  'ERR_RW_CACHE_KEY',
  'ERR_RW_CACHE_NAMESPACE',
  'ERR_RW_CACHE_VALUE',
  'ERR_RW_CACHE_LOADER',
  'ERR_RW_CACHE_LOADER_TIMEOUT',
  // @rediware/lock
  'ERR_RW_LOCK_BUSY',
  'ERR_RW_LOCK_TIMEOUT',
  'ERR_RW_LOCK_LOST',
  'ERR_RW_LOCK_ABORTED',
  'ERR_RW_LOCK_CLIENT_GONE',
  // @rediware/idempotency
  'ERR_RW_IDEMPOTENCY_KEY_MISSING',
  'ERR_RW_IDEMPOTENCY_KEY_MALFORMED',
  'ERR_RW_IDEMPOTENCY_IN_FLIGHT',
  'ERR_RW_IDEMPOTENCY_MISMATCH',
  'ERR_RW_IDEMPOTENCY_CORRUPT',
] as const;

/**
 * A stable error code: one of {@link rediwareErrorCodes}. A closed union, so a misspelt code does
 * not compile and a `switch (error.code)` can be exhaustive.
 */
export type RediwareErrorCode = (typeof rediwareErrorCodes)[number];
