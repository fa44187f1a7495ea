import type { IncomingHttpHeaders } from 'node:http';
import { pathOf } from './request-key';
import type { HeaderMap, HeaderValue } from './rfc9111/headers';

/** RFC 9110 §9.2.1: every other method, an unknown one too, may change the resource it targets. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Whether a response to this method can invalidate stored responses (RFC 9111 §4.4). */
export function isUnsafeMethod(method: string): boolean {
  return !safeMethods.has(method.toUpperCase());
}

/**
 * The paths whose stored responses a response to an unsafe request invalidates (RFC 9111 §4.4):
 * none unless the status is 2xx or 3xx; else the target's path and the paths of its Location and
 * Content-Location when they are on the request's own host (a cross-origin URI is left alone, so
 * a response cannot invalidate another site's entries). Every query and variant of a path goes.
 */
export function invalidatedPaths(
  method: string,
  url: string,
  requestHeaders: IncomingHttpHeaders,
  status: number,
  responseHeaders: HeaderMap,
): string[] {
  if (!isUnsafeMethod(method) || status < 200 || status >= 400) return [];
  const target = pathOf(url);
  const paths = new Set([target]);
  const host = requestHeaders.host;
  const base = host ? parsed(`http://${host}${target}`) : undefined;
  for (const name of ['location', 'content-location']) {
    const path = base && sameOriginPath(responseHeaders[name], base);
    if (path) paths.add(path);
  }
  return [...paths];
}

function parsed(url: string, base?: URL): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

function sameOriginPath(value: HeaderValue, base: URL): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || String(text).trim() === '') return undefined;
  const resolved = parsed(String(text).trim(), base);
  if (!resolved || resolved.host !== base.host) return undefined;
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') return undefined;
  // The key holds the path as the request target spells it; URL re-encodes only what must be.
  return resolved.pathname;
}
