import type { HandlerRun } from './cache-decision';
import type { CacheRequest } from './cache-request';
import type { RoutePolicy } from './options';
import type { ResponseStore } from './response-store';
import type { HeaderMap } from './rfc9111/headers';

/**
 * A request with Authorization: never answered from the cache (its user may be shown something
 * else than the shared copy); its GET response is stored under the shared key only when it
 * allows that explicitly (public, s-maxage, must-revalidate: RFC 9111 §3.5).
 */
export function authorizedRun<Req>(
  store: ResponseStore<Req>,
  key: string,
  request: CacheRequest<Req>,
  policy: RoutePolicy<Req>,
): HandlerRun {
  const requestedAt = Date.now();
  const decide = (status: number, headers: HeaderMap) =>
    store.decide(status, headers, policy, undefined, true);
  return {
    action: 'run',
    maxBodySize: policy.maxBodySize,
    revalidating: false,
    willStore: (status, headers) => request.method === 'GET' && decide(status, headers).store,
    store: async (captured) => {
      const decision =
        captured && request.method === 'GET' ? decide(captured.status, captured.headers) : undefined;
      if (!captured || !decision?.store) return undefined;
      await store.storeShared(captured, decision, {
        request,
        policy,
        key,
        vary: undefined,
        get: true,
        requestedAt,
      });
      return undefined;
    },
  };
}
