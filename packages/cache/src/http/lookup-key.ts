import type { CacheRequest } from './cache-request';
import type { RoutePolicy } from './options';
import { baseKey } from './request-key';
import { normalisedHost, requestOrigin } from './request-origin';
import { authorizedRequest, requestBypassReason } from './rfc9111/cacheability';

/** A request's base key, and whether it carries Authorization (stored from, never served). */
export interface LookupKey {
  readonly base: string;
  readonly authorized: boolean;
}

/** The request's base key, or undefined when it bypasses the cache. */
export function lookupKey<Req>(
  request: CacheRequest<Req>,
  policy: RoutePolicy<Req>,
  trustedHosts: ReadonlySet<string> | undefined,
): LookupKey | undefined {
  if (requestBypassReason(request.method, request.headers, policy.key !== undefined)) return undefined;
  if (policy.skip?.(request.req) === true) return undefined;
  // An unknown host is never cached: it can be neither poisoned nor served a wrong entry.
  if (trustedHosts && !trustedHosts.has(normalisedHost(request.host, request.protocol.toLowerCase())))
    return undefined;
  let user: string | undefined;
  if (policy.key) {
    user = policy.key(request.req);
    if (user === undefined) return undefined;
  }
  const origin = requestOrigin(request.protocol, request.host);
  const base = baseKey({ origin, url: request.url, user, headers: request.headers, vary: policy.vary });
  return { base, authorized: authorizedRequest(request.headers, policy.key !== undefined) };
}
