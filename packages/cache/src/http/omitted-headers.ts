import { RediwareConfigError } from '@rediware/core';
import type { StoredResponse } from './stored-response';

/**
 * Headers the cache itself reads to store and serve a response rightly (its body's encoding and
 * type, validators, freshness, variants): leaving them out of the stored copy would serve a body
 * under the wrong headers, so `omitHeaders` refuses them.
 */
const needed = new Set([
  'cache-control',
  'content-encoding',
  'content-type',
  'date',
  'etag',
  'expires',
  'last-modified',
  'vary',
]);

/** The `omitHeaders` option: lower-cased names, or `inherited` when not given. */
export function parseOmitHeaders(value: unknown, inherited: ReadonlySet<string>): ReadonlySet<string> {
  if (value === undefined) return inherited;
  const expected = 'an array of response header names (not one the cache reads: Content-Type, ETag, ...)';
  if (!Array.isArray(value)) throw new RediwareConfigError('omitHeaders', expected, value);
  const names = value.map((name: unknown) => {
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new RediwareConfigError('omitHeaders', expected, name);
    const lower = name.toLowerCase();
    if (needed.has(lower)) throw new RediwareConfigError('omitHeaders', expected, name);
    return lower;
  });
  return new Set(names);
}

/** The stored response without the omitted headers: a hit is answered without them. */
export function withoutOmittedHeaders(stored: StoredResponse, omitted: ReadonlySet<string>): StoredResponse {
  if (omitted.size === 0) return stored;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(stored.headers)) if (!omitted.has(name)) headers[name] = value;
  return { ...stored, headers };
}
