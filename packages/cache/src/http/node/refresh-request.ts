import type { IncomingHttpHeaders } from 'node:http';
import { requestOrigin } from '../request-origin';

/** Marks a background refresh request; its value is a per-instance secret no client can guess. */
export const refreshHeader = 'x-rediware-cache-refresh';

/**
 * The origin (scheme and host) of the entry being refreshed. A refresh that resolves another one
 * (a proxy the app trusts for the client but not for this loopback request) marks its response
 * X-Cache: BYPASS, and it is not stored: it would put another host's links into the entry.
 */
export const refreshOriginHeader = 'x-rediware-cache-origin';

/** The engine's default loader lock ttl: past it another request refreshes anyway. */
export const refreshTimeoutMs = 10_000;

/**
 * Request headers a refresh leaves out: hop-by-hop ones, and the client's conditionals, which
 * would get a 304 or a part instead of the full response to store.
 */
const notForwarded = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
]);

/** The client's request headers a refresh repeats. */
export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !notForwarded.has(name)) forwarded[name] = value;
  return forwarded;
}

/** The headers that make a refresh request this instance's own, for the entry of `origin`. */
export function refreshHeaders(secret: string, origin: string): Record<string, string> {
  return { [refreshHeader]: secret, [refreshOriginHeader]: origin };
}

/**
 * Whether a request is this instance's own background refresh: undefined when not (a client's
 * request, which goes through the cache); 'store' when its response is what the cache waits for;
 * 'bypass' when the app resolved another origin for it than for the entry (X-Cache: BYPASS, so
 * it is not stored).
 */
export function refreshOf(
  headers: IncomingHttpHeaders,
  secret: string,
  protocol: string,
  host: string,
): 'store' | 'bypass' | undefined {
  if (headers[refreshHeader] !== secret) return undefined;
  return headers[refreshOriginHeader] === requestOrigin(protocol, host) ? 'store' : 'bypass';
}
