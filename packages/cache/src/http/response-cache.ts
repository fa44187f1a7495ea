/**
 * The response cache, as the adapters see it. One request's way, adapter to store and back:
 *
 *   const decision = await cache.begin(request)   // lookup.ts: key, engine flight, stored reply
 *   serve     -> the adapter sends decision.reply (stored-reply.ts built it)
 *   bypass    -> the handler answers; nothing is stored
 *   run       -> the handler answers; the adapter captures its response and calls
 *                decision.store(captured)           // handler-load.ts, response-store.ts
 *                which resolves with a reply to send instead, if any (stale-if-error, a 304 that
 *                confirmed a revalidated entry)
 *
 * One decision object per request, and every call the adapter makes returns its own answer: the
 * adapter never completes a promise the cache handed out. The engine's single flight is a loader
 * callback, and the handler's response arrives after the lookup answered; engine-flight.ts alone
 * turns that callback into an object the request holds. Roles as in undici's cache: pure header
 * rules in rfc9111/, what is stored in response-store.ts, serving and revalidating in lookup.ts
 * and handler-load.ts, L1 replies in local-replies.ts.
 */
import { createBackend } from '@rediware/core';
import type { CacheDecision } from './cache-decision';
import type { CachedReply, CacheRequest } from './cache-request';
import { createResponseEngine, type ResponseEngine } from './engine-port';
import { LocalReplies } from './local-replies';
import { Lookup } from './lookup';
import { lookupKey } from './lookup-key';
import {
  parseResponseCacheOptions,
  parseRouteOptions,
  type ResponseCacheConfig,
  type ResponseCacheRouteOptions,
  type RoutePolicy,
} from './options';
import { pathTag, userTag } from './request-tags';
import { type ResponseCacheStats, ResponseCounters } from './response-counters';
import { ResponseStore } from './response-store';
import type { HeaderMap } from './rfc9111/headers';
import { StoreAdmission } from './store-admission';
import { invalidatedPaths } from './unsafe-invalidation';

export type { ResponseCacheStats } from './response-counters';

/** What `invalidate` drops: every stored response with one of the `tags`, or of one of the `paths`. */
export type InvalidationSelector =
  | {
      /** Tags given by the `tags` option. */
      readonly tags: readonly string[];
    }
  | {
      /** Request paths, such as `/products/42`. */
      readonly paths: readonly string[];
    };

/**
 * The framework-neutral HTTP response cache on top of the data-cache engine: the key, what may be
 * stored (RFC 9111 for a shared cache), the stored form, replies with ETag/304, X-Cache and Age.
 * The engine gives coalescing across processes, tags, stale windows and the fail-open policy.
 */
export class ResponseCache<Req> {
  readonly config: ResponseCacheConfig<Req>;
  readonly #engine: ResponseEngine;
  readonly #admission: StoreAdmission;
  readonly #counters: ResponseCounters;
  readonly #lookup: Lookup<Req>;
  readonly #local: LocalReplies;

  constructor(options: unknown) {
    this.config = parseResponseCacheOptions<Req>(options);
    const { redis, prefix, timeout, l1, metrics } = this.config;
    this.#counters = new ResponseCounters(metrics);
    this.#engine = createResponseEngine({
      ...(redis === undefined ? {} : { redis }),
      ...(l1 === undefined ? {} : { l1 }),
      metrics,
      prefix,
      ...(timeout === undefined ? {} : { timeout }),
      // Every entry sets its own freshness; this only satisfies the engine's required option.
      ttl: 1000,
      // Each route's maxBodySize is checked while capturing, before anything reaches the engine.
      maxValueSize: 2 ** 31 - 1,
    });
    this.#admission = new StoreAdmission(
      createBackend({ redis, timeout, packageName: '@rediware/cache' }),
      prefix,
      this.config.admission,
    );
    this.#engine.on('failure', () => this.#admission.pause());
    const store = new ResponseStore(this.config, this.#engine, this.#admission, this.#counters);
    this.#lookup = new Lookup(this.config, this.#engine, store);
    this.#local = new LocalReplies(this.#engine);
  }

  /** A route's policy: its options over the plugin's. */
  route(options: ResponseCacheRouteOptions<Req>): RoutePolicy<Req> {
    return parseRouteOptions<Req>(options, this.config.route);
  }

  /** Serve from the cache, or run the handler (and maybe store its response), or bypass. */
  async begin(
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req> = this.config.route,
  ): Promise<CacheDecision> {
    const decision = await this.#lookup.decide(request, policy);
    this.#counters.decided(decision);
    return decision;
  }

  /** Requests answered so far by this instance, per X-Cache (a 304 from the cache is a hit). */
  stats(): ResponseCacheStats {
    return this.#counters.stats();
  }

  /**
   * The answer from this process's L1 alone, synchronously: a fresh stored response (through its
   * vary index when it varies) as `begin` would serve it, counted the same. Undefined whenever
   * `begin` must decide (no fresh L1 entry, a bypass, a request with Authorization, a body stored
   * compressed for a client that does not take gzip until the entry holds it decompressed).
   */
  serveLocal(
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req> = this.config.route,
  ): CachedReply | undefined {
    if (!this.config.l1) return undefined;
    const key = lookupKey(request, policy, this.config.trustedHosts);
    if (key === undefined || key.authorized) return undefined;
    const reply = this.#local.reply(key.base, request);
    if (reply !== undefined) this.#counters.hit();
    return reply;
  }

  async invalidate(selector: InvalidationSelector): Promise<void> {
    if ('paths' in selector) await this.#engine.invalidate({ tags: selector.paths.map(pathTag) });
    else await this.#engine.invalidate({ tags: selector.tags.map(userTag) });
  }

  /**
   * The response to an unsafe request (RFC 9111 §4.4) is about to go out: a 2xx or 3xx invalidates
   * its target's path and the same-origin paths of its Location and Content-Location, on every
   * instance. Resolves when done; a Redis failure is reported by the engine, never thrown, and the
   * response goes out anyway (those entries then live until their own freshness ends).
   */
  async invalidateAfter(
    request: Pick<CacheRequest<Req>, 'method' | 'url' | 'headers'>,
    status: number,
    headers: HeaderMap,
  ): Promise<void> {
    const paths = invalidatedPaths(request.method, request.url, request.headers, status, headers);
    if (paths.length > 0) await this.invalidate({ paths }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([this.#engine.close(), this.#admission.close()]);
  }
}
