import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderMap, HeaderValue } from './headers';
import { heuristicLifetimeMs } from './heuristic-freshness';
import { httpDate, initialAgeMs } from './response-age';
import { finalStatus, understoodStatus } from './status-codes';
import { maxDeltaSeconds, type SurrogateDirectives } from './surrogate-control';

/** Cache-Control directives: lower-cased names; a directive without an argument maps to ''. */
export type Directives = ReadonlyMap<string, string>;

/**
 * Parses a Cache-Control field (RFC 9111 §5.2). Hand-written: about twenty lines, and the few
 * parsers on npm either drop unknown directives or are unmaintained.
 */
export function parseCacheControl(value: HeaderValue): Directives {
  const directives = new Map<string, string>();
  if (value === undefined) return directives;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    let argument = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (argument.startsWith('"') && argument.endsWith('"') && argument.length >= 2)
      argument = argument.slice(1, -1);
    // The first occurrence wins: a duplicate is invalid and must not loosen the policy.
    if (!directives.has(name)) directives.set(name, argument);
  }
  return directives;
}

/** A delta-seconds argument in ms, or undefined when absent or not a number. */
function seconds(directives: Directives, name: string): number | undefined {
  const argument = directives.get(name);
  if (argument === undefined || !/^\d+$/.test(argument)) return undefined;
  return Math.min(Number(argument), maxDeltaSeconds) * 1000;
}

/** Why a request is not served from or stored in the cache; undefined when it may be. */
export function requestBypassReason(
  method: string,
  headers: IncomingHttpHeaders,
  perUserKey: boolean,
): string | undefined {
  if (method !== 'GET' && method !== 'HEAD') return 'method';
  // A body (a "fat GET") is not in the key, yet a handler may read it: such a request is never
  // answered from the cache, nor is its answer stored for body-less requests.
  if (hasBody(headers)) return 'request-body';
  // A Cookie makes a response personal; only a route with a per-user key may cache it.
  // (Authorization: see authorizedRequest.)
  if (!perUserKey && headers.cookie !== undefined) return 'credentials';
  const directives = parseCacheControl(headers['cache-control']);
  if (directives.has('no-store') || directives.has('no-cache')) return 'request-cache-control';
  if (String(headers.pragma ?? '').toLowerCase() === 'no-cache') return 'request-cache-control';
  return undefined;
}

/** A request body follows the headers (RFC 9112 §6.3): any Transfer-Encoding, or a Content-Length but 0. */
function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

/**
 * A request with Authorization (on a route without a per-user key): it always runs the handler,
 * and its response is stored for other requests only when it explicitly allows it (RFC 9111 §3.5).
 */
export function authorizedRequest(headers: IncomingHttpHeaders, perUserKey: boolean): boolean {
  return !perUserKey && headers.authorization !== undefined;
}

/** What, besides the response, decides whether it is stored. */
export interface StorageContext {
  /** The request carried Authorization. */
  readonly authorized: boolean;
  /** Surrogate-Control meant for this cache; undefined when absent or switched off. */
  readonly surrogate: SurrogateDirectives | undefined;
}

const plainRequest: StorageContext = { authorized: false, surrogate: undefined };

export interface StorageDefaults {
  readonly ttlMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  readonly statuses: ReadonlySet<number>;
}

export type StorageDecision =
  | { readonly store: false; readonly reason: string }
  | {
      readonly store: true;
      /** Freshness left: the lifetime minus the age the response arrived with; 0: no-cache. */
      readonly ttlMs: number;
      /** The age the response arrived with (origin Age or time since its Date). */
      readonly initialAgeMs: number;
      readonly staleWhileRevalidateMs: number;
      readonly staleIfErrorMs: number;
      /** Lower-cased, sorted request header names of the response's Vary. */
      readonly vary: readonly string[];
    };

/** The Vary field as sorted lower-case names; ['*'] for `Vary: *`. */
export function varyNames(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : String(value);
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.includes('*')) return ['*'];
  return [...new Set(names)].sort();
}

/** Whether a shared cache may store this response, and for how long (RFC 9111 §3, §4.2). */
export function storageDecision(
  status: number,
  headers: HeaderMap,
  defaults: StorageDefaults,
  now: number = Date.now(),
  context: StorageContext = plainRequest,
): StorageDecision {
  if (!finalStatus(status)) return { store: false, reason: 'status' };
  if (headers['set-cookie'] !== undefined) return { store: false, reason: 'set-cookie' };
  const directives = parseCacheControl(headers['cache-control']);
  const { surrogate } = context;
  if (surrogate?.noStore) return { store: false, reason: 'no-store' };
  // Surrogate-Control's max-age is addressed to this cache: it overrides Cache-Control's no-store
  // (meant for the browser), never private.
  if (directives.has('no-store') && surrogate?.maxAgeMs === undefined)
    return { store: false, reason: 'no-store' };
  if (directives.has('private')) return { store: false, reason: 'private' };
  if (directives.has('must-understand') && !understoodStatus(status))
    return { store: false, reason: 'must-understand' };
  const sMaxAge = seconds(directives, 's-maxage');
  const mustRevalidate = directives.has('must-revalidate');
  if (context.authorized && !directives.has('public') && !mustRevalidate && sMaxAge === undefined)
    return { store: false, reason: 'authorization' };
  const vary = varyNames(headers.vary);
  if (vary.includes('*')) return { store: false, reason: 'vary-star' };
  // Credentials never go into a key, not even hashed: a response that varies on them is not stored.
  if (vary.includes('authorization') || vary.includes('cookie'))
    return { store: false, reason: 'vary-credentials' };
  const ageMs = initialAgeMs(headers, now);
  if (ageMs === undefined) return { store: false, reason: 'invalid-age' };
  const lifetimeMs = freshnessLifetime(status, headers, directives, sMaxAge, defaults, now, surrogate);
  if (lifetimeMs === undefined) return { store: false, reason: 'status' };
  // no-cache: stored never fresh, so every use is revalidated; useless without a validator.
  if (directives.has('no-cache'))
    return hasValidator(headers)
      ? { store: true, ttlMs: 0, initialAgeMs: ageMs, staleWhileRevalidateMs: 0, staleIfErrorMs: 0, vary }
      : { store: false, reason: 'no-cache' };
  const ttlMs = lifetimeMs - ageMs;
  if (ttlMs <= 0) return { store: false, reason: 'no-freshness' };
  // must-revalidate, proxy-revalidate, s-maxage and no-cache forbid serving stale unless the response says so itself.
  const strict =
    mustRevalidate ||
    directives.has('proxy-revalidate') ||
    directives.has('no-cache') ||
    sMaxAge !== undefined;
  return {
    store: true,
    ttlMs,
    initialAgeMs: ageMs,
    staleWhileRevalidateMs:
      seconds(directives, 'stale-while-revalidate') ?? (strict ? 0 : defaults.staleWhileRevalidateMs),
    staleIfErrorMs: seconds(directives, 'stale-if-error') ?? (strict ? 0 : defaults.staleIfErrorMs),
    vary,
  };
}

/** Whether a response has a validator of the handler's own, which a 304 from the handler can confirm. */
export function hasValidator(headers: HeaderMap): boolean {
  return headers.etag !== undefined || headers['last-modified'] !== undefined;
}

/**
 * The freshness lifetime: Surrogate-Control max-age, s-maxage, max-age, Expires; without any, the
 * default `ttl` (statuses in `statuses` only) or, with `ttl: 0`, heuristic freshness (statuses in
 * `statuses`, or any with `public`). undefined: this status may not be stored without explicit
 * freshness.
 */
function freshnessLifetime(
  status: number,
  headers: HeaderMap,
  directives: Directives,
  sMaxAge: number | undefined,
  defaults: StorageDefaults,
  now: number,
  surrogate: SurrogateDirectives | undefined,
): number | undefined {
  const explicit =
    surrogate?.maxAgeMs ?? sMaxAge ?? seconds(directives, 'max-age') ?? expiresLifetime(headers, now);
  if (explicit !== undefined) return explicit;
  const listed = defaults.statuses.has(status);
  if (listed && defaults.ttlMs > 0) return defaults.ttlMs;
  if (!listed && !directives.has('public')) return undefined;
  return heuristicLifetimeMs(headers, now) ?? 0;
}

/** Expires minus Date (RFC 9111 §4.2.1); an invalid Expires means already stale (§5.3). */
function expiresLifetime(headers: HeaderMap, now: number): number | undefined {
  if (headers.expires === undefined) return undefined;
  const expires = httpDate(headers.expires);
  if (expires === undefined) return 0;
  return expires - (httpDate(headers.date) ?? now);
}
