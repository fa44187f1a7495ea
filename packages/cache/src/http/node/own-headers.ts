import type { HeaderMap } from '../rfc9111/headers';

/**
 * Headers already on the response when the cache starts were set by middleware mounted before it
 * (a rate limiter's RateLimit, a request id): they belong to this request, not to the stored
 * representation, so they are neither stored nor replayed over the current request's values.
 */
export function withoutOwnHeaders<T extends HeaderMap>(headers: T, own: ReadonlySet<string>): T {
  if (own.size === 0) return headers;
  const result: Record<string, HeaderMap[string]> = { ...headers };
  for (const name of Object.keys(result)) if (own.has(name.toLowerCase())) delete result[name];
  return result as T;
}
