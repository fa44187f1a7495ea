import { authorizedRun } from './authorized-run';
import { type CacheDecision, unstoredRun } from './cache-decision';
import type { CacheRequest } from './cache-request';
import { openFlight } from './engine-flight';
import type { ResponseEngine, WrapResult } from './engine-port';
import { type LoadTarget, loadingRun, refreshLoad } from './handler-load';
import { lookupKey } from './lookup-key';
import type { ResponseCacheConfig, RoutePolicy } from './options';
import { variantKey } from './request-key';
import { requestTags } from './request-tags';
import type { ResponseStore } from './response-store';
import { parseCacheControl } from './rfc9111/cacheability';
import { replyFor } from './stored-reply';
import { decodeEntry, type StoredResponse } from './stored-response';

/**
 * Serving and revalidating: one request's way through the engine to its decision. A stored
 * response is served; the request the engine elects to load the entry runs the handler (and may
 * revalidate a stale entry); any other request gets what that one loaded, or runs the handler
 * itself when the result may not be shared.
 */
export class Lookup<Req> {
  readonly #config: ResponseCacheConfig<Req>;
  readonly #engine: ResponseEngine;
  readonly #store: ResponseStore<Req>;

  constructor(config: ResponseCacheConfig<Req>, engine: ResponseEngine, store: ResponseStore<Req>) {
    this.#config = config;
    this.#engine = engine;
    this.#store = store;
  }

  async decide(request: CacheRequest<Req>, policy: RoutePolicy<Req>): Promise<CacheDecision> {
    const key = lookupKey(request, policy, this.#config.trustedHosts);
    if (key === undefined) return { action: 'bypass' };
    if (key.authorized) return authorizedRun(this.#store, key.base, request, policy);
    return this.#resolve(key.base, undefined, request, policy, false);
  }

  /** One engine lookup. `vary` is set when `key` is a variant key found through a vary index. */
  async #resolve(
    key: string,
    vary: readonly string[] | undefined,
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req>,
    retried: boolean,
  ): Promise<CacheDecision> {
    const target: LoadTarget<Req> = {
      request,
      policy,
      key,
      vary,
      tags: requestTags(request, policy),
      store: this.#store,
      surrogate: Boolean(this.#config.surrogate),
    };
    const flight = await openFlight(this.#engine, key, target.tags, (context) =>
      refreshLoad(context, target),
    );
    if (flight.kind === 'loading') return loadingRun(flight, target);
    if (flight.kind === 'failed') return unstoredRun;
    return this.#answer(flight.result, key, vary, request, policy, retried);
  }

  /** A stored response, or another request's: served, followed to its variant, or run for once more. */
  #answer(
    result: WrapResult<Buffer>,
    key: string,
    vary: readonly string[] | undefined,
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req>,
    retried: boolean,
  ): CacheDecision | Promise<CacheDecision> {
    const entry = decodeEntry(result.value);
    if (entry?.kind === 'vary' && vary === undefined)
      return this.#resolve(
        variantKey(key, entry.vary, request.headers),
        entry.vary,
        request,
        policy,
        retried,
      );
    // Another request's response, just loaded, that must be revalidated on every use (no-cache):
    // this request revalidates it in turn rather than share it.
    if (entry?.kind === 'response' && result.status === 'miss' && revalidatedOnUse(entry.response))
      return retried ? unstoredRun : this.#resolve(key, vary, request, policy, true);
    if (entry?.kind === 'response')
      return replyFor(entry.response, result.status, result.ageMs, request).then(
        (reply): CacheDecision => ({ action: 'serve', reply }),
        // A stored body that does not decompress: not served; the handler answers this request.
        (): CacheDecision => unstoredRun,
      );
    // Another request's response that may not be shared (or a HEAD's): this request runs the
    // handler itself, once more through the cache so that a storable response is stored.
    if (!retried) return this.#resolve(key, vary, request, policy, true);
    return unstoredRun;
  }
}

function revalidatedOnUse(stored: StoredResponse): boolean {
  return parseCacheControl(stored.headers['cache-control']).has('no-cache');
}
