import { RediwareConfigError } from '@rediware/core';
import type { Policy } from './algorithms/policy';
import type { RateLimitResult } from './rate-limiter';

export type HeaderMode = 'draft-8' | 'draft-7' | 'draft-6' | 'legacy';
export const headerModes: readonly HeaderMode[] = ['draft-8', 'draft-7', 'draft-6', 'legacy'];

const seconds = (ms: number) => Math.ceil(ms / 1000);
const policyName = (name: string, i: number) => (i === 0 ? name : `${name}-${i}`);

/**
 * The response headers of a decision:
 * - draft-8 (draft-ietf-httpapi-ratelimit-headers-08): `RateLimit-Policy: "name";q=100;w=60` for
 *   every policy and `RateLimit: "name";r=42;t=17` for the deciding one;
 * - draft-7: `RateLimit-Policy: 100;w=60` and `RateLimit: limit=100, remaining=42, reset=17`;
 * - draft-6: `RateLimit-Policy: 100;w=60`, `RateLimit-Limit: 100`, `RateLimit-Remaining: 42` and
 *   `RateLimit-Reset: 17` (as express-rate-limit sends draft-6);
 * - legacy: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (seconds until the
 *   reset, as @fastify/rate-limit sends it).
 * Every reset is a number of seconds from Redis's own count (never this server's clock added to
 * it), rounded up: within a window, consecutive responses never go up by a second and back.
 * `Retry-After` (seconds, rounded up, at least 1) is on every rejection, whatever the mode (`addHeaders` may drop it after).
 *
 * An admitted request's reset is when the quota resets (the window ends, the bucket is full). A
 * rejected request's is when a request will be admitted, the same as `Retry-After`: a sliding
 * window's previous window still weighs after the current one ends, and a bucket admits again long
 * before it is full, so the quota's reset would tell a client to come back too early or too late.
 */
export function rateLimitHeaders(
  result: RateLimitResult,
  modes: HeaderMode | readonly HeaderMode[] | false,
  name: string,
  policies: readonly Policy[],
): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  if (modes === false) addModeHeaders(headers, result, false, name, policies);
  else if (typeof modes === 'string') addModeHeaders(headers, result, modes, name, policies);
  else for (const mode of modes) addModeHeaders(headers, result, mode, name, policies);
  if (!result.allowed) headers.push(['Retry-After', String(retryAfterSeconds(result))]);
  return headers;
}

const retryAfterSeconds = (result: RateLimitResult) =>
  result.allowed ? 0 : Math.max(1, seconds(result.retryAfterMs));

function addModeHeaders(
  headers: Array<[string, string]>,
  result: RateLimitResult,
  mode: HeaderMode | false,
  name: string,
  policies: readonly Policy[],
): void {
  if (mode === false) return;
  const resetS = result.allowed ? seconds(result.resetMs) : retryAfterSeconds(result);
  const deciding = Math.max(
    0,
    policies.findIndex((policy) => policy.limit === result.limit && policy.windowMs === result.windowMs),
  );
  if (mode === 'draft-8') {
    headers.push(['RateLimit-Policy', policyHeader(mode, name, policies)]);
    headers.push(['RateLimit', `"${policyName(name, deciding)}";r=${result.remaining};t=${resetS}`]);
  } else if (mode === 'draft-7') {
    headers.push(['RateLimit-Policy', policyHeader(mode, name, policies)]);
    headers.push(['RateLimit', `limit=${result.limit}, remaining=${result.remaining}, reset=${resetS}`]);
  } else if (mode === 'draft-6') {
    headers.push(['RateLimit-Policy', policyHeader(mode, name, policies)]);
    headers.push(['RateLimit-Limit', String(result.limit)]);
    headers.push(['RateLimit-Remaining', String(result.remaining)]);
    headers.push(['RateLimit-Reset', String(resetS)]);
  } else if (mode === 'legacy') {
    headers.push(['X-RateLimit-Limit', String(result.limit)]);
    headers.push(['X-RateLimit-Remaining', String(result.remaining)]);
    headers.push(['X-RateLimit-Reset', String(resetS)]);
  }
}

/**
 * The `headers` option as a list: false is none; a list holds at most one of the drafts (they
 * share the `RateLimit-Policy` header), with 'legacy' or not.
 */
export function parseHeaderModes(value: unknown): readonly HeaderMode[] {
  if (value === undefined) return Object.freeze(['draft-8' as const]);
  if (value === false) return Object.freeze([]);
  const modes = Array.isArray(value) ? value : [value];
  const valid =
    modes.length > 0 &&
    modes.every((mode) => headerModes.includes(mode as HeaderMode)) &&
    new Set(modes).size === modes.length &&
    modes.filter((mode) => mode !== 'legacy').length <= 1;
  if (!valid) {
    throw new RediwareConfigError(
      'headers',
      "'draft-8', 'draft-7', 'draft-6', 'legacy', false, or a list of one draft and 'legacy'",
      value,
    );
  }
  return Object.freeze([...modes] as HeaderMode[]);
}

/** `RateLimit-Policy` depends on the limiter alone: built once per limiter and mode, not per request. */
const policyHeaders = new WeakMap<readonly Policy[], Map<string, string>>();

function policyHeader(
  mode: Exclude<HeaderMode, 'legacy'>,
  name: string,
  policies: readonly Policy[],
): string {
  let byMode = policyHeaders.get(policies);
  if (byMode === undefined) {
    byMode = new Map();
    policyHeaders.set(policies, byMode);
  }
  const id = mode === 'draft-8' ? `8:${name}` : '7';
  let header = byMode.get(id);
  if (header === undefined) {
    header =
      mode === 'draft-8'
        ? policies.map((p, i) => `"${policyName(name, i)}";q=${p.limit};w=${seconds(p.windowMs)}`).join(', ')
        : policies.map((p) => `${p.limit};w=${seconds(p.windowMs)}`).join(', ');
    byMode.set(id, header);
  }
  return header;
}
