import {
  checkObject,
  type RateLimitHeaderName,
  RediwareConfigError,
  rateLimitHeaderNames,
} from '@rediware/core';

/** The headers a rate limit response can carry, lower-cased, as `addHeaders` names them. */
export type RateLimitResponseHeader = RateLimitHeaderName | 'retry-after';

const rejectionHeaders: readonly RateLimitResponseHeader[] = [...rateLimitHeaderNames, 'retry-after'];
/** An admitted request never gets `Retry-After`. */
const admissionHeaders = rejectionHeaders.filter((name) => name !== 'retry-after');

/**
 * `addHeaders` / `addHeadersOnExceeding` (@fastify/rate-limit's per-header toggles): the lower-cased
 * names turned off, or undefined when none is. A name is matched in any case; an unknown name or a
 * value that is not a boolean throws, naming the option: a misspelt header would otherwise stay on.
 */
export function parseHeaderToggles(
  value: unknown,
  option: 'addHeaders' | 'addHeadersOnExceeding',
): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  const toggles = checkObject(value, option);
  const known = option === 'addHeaders' ? rejectionHeaders : admissionHeaders;
  const off = new Set<string>();
  for (const [name, on] of Object.entries(toggles)) {
    const header = name.toLowerCase();
    if (!known.includes(header as RateLimitResponseHeader)) {
      throw new RediwareConfigError(`${option}.${name}`, `one of ${known.join(', ')}`, name);
    }
    if (typeof on !== 'boolean') throw new RediwareConfigError(`${option}.${name}`, 'true or false', on);
    if (!on) off.add(header);
  }
  return off.size === 0 ? undefined : off;
}

/** The headers without those turned off. */
export function withoutHeaders(
  headers: Array<[string, string]>,
  off: ReadonlySet<string> | undefined,
): Array<[string, string]> {
  return off === undefined ? headers : headers.filter(([name]) => !off.has(name.toLowerCase()));
}
