import type { IncomingHttpHeaders } from 'node:http';
import { normalisedVaryValue } from './rfc9111/vary-values';

/** What a request contributes to its cache key, before the response's Vary is known. */
export interface KeyParts {
  /** The scheme and host a handler sees (see requestOrigin): one site's entries never serve another's. */
  readonly origin: string;
  /** The request target: path and query. */
  readonly url: string;
  /** The per-user key of a route that caches credentialed requests. */
  readonly user: string | undefined;
  /** Values of the configured `vary` request headers. */
  readonly headers: IncomingHttpHeaders;
  readonly vary: readonly string[];
}

/** The path of a request target, for path invalidation. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The query with its parameters sorted by name (stable for equal names), so order does not split entries. */
function sortedQuery(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return '';
  const params = new URLSearchParams(url.slice(query + 1));
  params.sort();
  return params.toString();
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return normalisedVaryValue(name, Array.isArray(value) ? value.join(', ') : value);
}

/**
 * The method-independent key of a request: GET and HEAD share it. JSON keeps the parts apart,
 * so no crafted path or header value can collide with another request's key.
 */
export function baseKey(parts: KeyParts): string {
  return JSON.stringify([
    'response',
    parts.origin,
    pathOf(parts.url),
    sortedQuery(parts.url),
    parts.user ?? null,
    parts.vary.map((name) => [name, headerValue(parts.headers, name)]),
  ]);
}

/** The key of one variant: the base key plus the request's values of the response's Vary headers. */
export function variantKey(base: string, vary: readonly string[], headers: IncomingHttpHeaders): string {
  return JSON.stringify([base, vary.map((name) => [name, headerValue(headers, name)])]);
}
