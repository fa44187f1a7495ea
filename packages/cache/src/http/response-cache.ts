import type { IncomingHttpHeaders } from 'node:http';
import { bindCounters, createBackend } from '@rediware/core';
import createEtag from 'etag';
import fresh from 'fresh';
import { byteRange } from './body/byte-range';
import type { CapturedResponse } from './body/capture';
import {
  bodyToStore,
  decompressedBody,
  identityBytes,
  type Representation,
  representationFor,
  storedBytes,
  takesGzip,
} from './body/content-encoding';
import {
  type Cache,
  createCacheWithLocalHits,
  type LoadContext,
  type LocalHits,
  type WrapResult,
} from './engine-port';
import { withoutOmittedHeaders } from './omitted-headers';
import {
  parseResponseCacheOptions,
  parseRouteOptions,
  type ResponseCacheConfig,
  type ResponseCacheRouteOptions,
  type RoutePolicy,
} from './options';
import { baseKey, pathOf, variantKey } from './request-key';
import { normalisedHost, requestOrigin } from './request-origin';
import { responseCacheMetricSpecs } from './response-cache-metrics';
import { freshened, revalidationOf } from './revalidation';
import {
  authorizedRequest,
  hasValidator,
  parseCacheControl,
  requestBypassReason,
  type StorageDecision,
  storageDecision,
} from './rfc9111/cacheability';
import type { HeaderMap } from './rfc9111/headers';
import { initialAgeMs } from './rfc9111/response-age';
import { parseSurrogateControl } from './rfc9111/surrogate-control';
import { type Admission, StoreAdmission } from './store-admission';
import {
  decodeEntry,
  encodeResponse,
  encodeVaryIndex,
  type StoredEntry,
  type StoredResponse,
  storableHeaders,
} from './stored-response';
import { invalidatedPaths } from './unsafe-invalidation';

/** The parts of a request the response cache looks at. */
export interface CacheRequest<Req> {
  readonly req: Req;
  readonly method: string;
  /** The request target: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The scheme as the framework resolved it (X-Forwarded-Proto behind a trusted proxy). */
  readonly protocol: string;
  /** The host as the framework resolved it (X-Forwarded-Host behind a trusted proxy), port included. */
  readonly host: string;
  /**
   * Runs the handler again for this request without a client (for a background refresh under
   * stale-while-revalidate) and resolves with its response; absent: stale entries are not refreshed
   * in the background, the first request past the stale window runs the handler.
   */
  readonly refresh?: (() => Promise<CapturedResponse | undefined>) | undefined;
}

/** A stored response ready to send: status, headers (X-Cache and Age included) and body. */
export interface CachedReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Undefined for 304: send no body. (HEAD gets the body; the server drops it.) */
  readonly body: Buffer | undefined;
}

/** The handler is about to run for this request: the adapter feeds its response back here. */
export interface Capture {
  /** Largest body that is stored; the adapter stops collecting past it. */
  readonly maxBodySize: number;
  /**
   * True when the handler was asked to confirm a stale entry (If-None-Match / If-Modified-Since
   * added): the adapter holds a 304 back as it holds a 5xx, and finish() answers with the stored
   * response to send instead.
   */
  readonly revalidating: boolean;
  /** At header time: whether this response will be stored (X-Cache MISS) or not (BYPASS). */
  willStore(status: number, headers: HeaderMap): boolean;
  /**
   * The response is complete (undefined: aborted, or over maxBodySize). Resolves with a stored
   * reply to send instead when the handler failed and stale-if-error allows one, or when it
   * confirmed a revalidated entry with a 304, for adapters that can still replace the response;
   * else undefined.
   */
  finish(response: CapturedResponse | undefined): Promise<CachedReply | undefined>;
}

export type CacheDecision =
  | { readonly action: 'bypass' }
  | { readonly action: 'serve'; readonly reply: CachedReply }
  | { readonly action: 'run'; readonly capture: Capture };

/** What a response cache's `stats()` counts, per X-Cache, since it was created. */
export interface ResponseCacheStats {
  /** Requests answered with a fresh stored response (`X-Cache: HIT`). */
  hits: number;
  /** Requests answered with a stale stored response (`X-Cache: STALE`). */
  stale: number;
  /** Requests that ran the handler through the cache (its response stored or not). */
  misses: number;
  /** Requests the cache did not handle (`X-Cache: BYPASS`). */
  bypasses: number;
  /** Storable responses not stored: their key had not been asked `minUses` times yet. */
  unadmitted: number;
  /** Storable responses not stored: `maxEntries` or `maxMemoryUsage` was reached. */
  overBudget: number;
  /** Storable responses not stored: the admission check failed (Redis error or timeout). */
  admissionErrors: number;
}

export type XCache = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

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

/** Thrown inside the loader for a 5xx response, so the engine's stale-if-error can answer instead. */
class HandlerFailed extends Error {}

/** What a loader returns when the response must not be shared: no decodable entry. */
const notStored = Buffer.alloc(0);

/** A capture that stores nothing (bypassed or unshareable responses). */
const passThrough: Capture = {
  maxBodySize: 0,
  revalidating: false,
  willStore: () => false,
  finish: async () => undefined,
};

/** Marks a decompression under way in `#decompressed`. */
const pending = Symbol('pending');

/**
 * The framework-neutral HTTP response cache on top of the data-cache engine: the key, what may be
 * stored (RFC 9111 for a shared cache), the stored form, replies with ETag/304, X-Cache and Age.
 * The engine gives coalescing across processes, tags, stale windows and the fail-open policy.
 */
export class ResponseCache<Req> {
  readonly config: ResponseCacheConfig<Req>;
  readonly engine: Cache & LocalHits;
  readonly #stats: ResponseCacheStats = {
    hits: 0,
    stale: 0,
    misses: 0,
    bypasses: 0,
    unadmitted: 0,
    overBudget: 0,
    admissionErrors: 0,
  };
  readonly #admission: StoreAdmission;
  readonly #metrics;
  /** Per stored response served from L1: the headers of a hit without validators or Range, Age aside. */
  readonly #plainHitHeaders = new WeakMap<StoredResponse, CachedReply['headers']>();
  /**
   * Per stored response served from L1 with a body stored gzip: the representation with its bytes
   * decompressed, once a client that does not take gzip asked for it (`pending` while zlib works).
   */
  readonly #decompressed = new WeakMap<StoredResponse, Representation | typeof pending>();

  constructor(options: unknown) {
    this.config = parseResponseCacheOptions<Req>(options);
    const { redis, prefix, timeout, l1, metrics } = this.config;
    this.#metrics = bindCounters(responseCacheMetricSpecs, metrics);
    this.engine = createCacheWithLocalHits({
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
    this.engine.on('failure', () => this.#admission.pause());
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
    const decision = await this.#begin(request, policy);
    if (decision.action === 'bypass') this.#stats.bypasses++;
    else if (decision.action === 'run') this.#stats.misses++;
    else if (decision.reply.headers['x-cache'] === 'STALE') this.#stats.stale++;
    else this.#stats.hits++;
    this.#metrics[metricOf(decision)].add();
    return decision;
  }

  /** Requests answered so far by this instance, per X-Cache (a 304 from the cache is a hit). */
  stats(): ResponseCacheStats {
    return { ...this.#stats };
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
    const key = this.#keyOf(request, policy);
    if (key === undefined || key.authorized) return undefined;
    const reply = this.engine.localHit(key.base, decodeEntry, (entry, ageMs) =>
      entry?.kind === 'vary'
        ? this.engine.localHit(
            variantKey(key.base, entry.vary, request.headers),
            decodeEntry,
            (variant, ageMs) => this.#localReply(variant, ageMs, request),
          )
        : this.#localReply(entry, ageMs, request),
    );
    if (reply === undefined) return undefined;
    this.#stats.hits++;
    this.#metrics.hits.add();
    return reply;
  }

  #localReply(
    entry: StoredEntry | undefined,
    ageMs: number,
    request: CacheRequest<Req>,
  ): CachedReply | undefined {
    if (entry?.kind !== 'response') return undefined;
    const stored = entry.response;
    const { headers } = request;
    if (stored.encoding === 'gzip' && !takesGzip(single(headers['accept-encoding'])))
      return this.#decompressedReply(stored, ageMs, request);
    if (
      headers['if-none-match'] !== undefined ||
      headers['if-modified-since'] !== undefined ||
      headers.range !== undefined
    ) {
      const representation = storedBytes(stored.headers, stored.body, stored.encoding);
      return this.#replyWith(stored, representation, 'hit', ageMs, request);
    }
    // A plain hit: the headers #replyWith gives a request without validators or Range, built once
    // per stored response, copied with this hit's Age.
    let plain = this.#plainHitHeaders.get(stored);
    if (!plain) {
      const representation = storedBytes(stored.headers, stored.body, stored.encoding);
      plain = this.#replyWith(stored, representation, 'hit', 0, { ...request, headers: {} }).headers;
      this.#plainHitHeaders.set(stored, plain);
    }
    const replyHeaders = { ...plain };
    replyHeaders.age = ageHeader(stored, ageMs);
    return { status: stored.status, headers: replyHeaders, body: stored.body };
  }

  /**
   * A body stored gzip, for a client that does not take gzip: decompressed once per entry, off the
   * event loop, and kept with it for the next such client. Until the bytes are there, undefined:
   * the request goes begin's way, which decompresses for itself.
   */
  #decompressedReply(
    stored: StoredResponse,
    ageMs: number,
    request: CacheRequest<Req>,
  ): CachedReply | undefined {
    const identity = this.#decompressed.get(stored);
    if (identity === undefined) {
      this.#decompressed.set(stored, pending);
      decompressedBody(stored.body).then(
        (body) => this.#decompressed.set(stored, identityBytes(stored.headers, body)),
        // A body that will not decompress is begin's to report: it tries on every request.
        () => this.#decompressed.delete(stored),
      );
    }
    if (identity === undefined || identity === pending) return undefined;
    return this.#replyWith(stored, identity, 'hit', ageMs, request);
  }

  async #begin(
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req> = this.config.route,
  ): Promise<CacheDecision> {
    const key = this.#keyOf(request, policy);
    if (key === undefined) return { action: 'bypass' };
    if (key.authorized) return { action: 'run', capture: this.#storeOnly(key.base, request, policy) };
    return this.#resolve(key.base, undefined, request, policy, false);
  }

  /** The request's base key, or undefined when it bypasses the cache. */
  #keyOf(
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req>,
  ): { readonly base: string; readonly authorized: boolean } | undefined {
    if (requestBypassReason(request.method, request.headers, policy.key !== undefined)) return undefined;
    if (policy.skip?.(request.req) === true) return undefined;
    // An unknown host is never cached: it can be neither poisoned nor served a wrong entry.
    const { trustedHosts } = this.config;
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

  async invalidate(selector: InvalidationSelector): Promise<void> {
    if ('paths' in selector) await this.engine.invalidate({ tags: selector.paths.map(pathTag) });
    else await this.engine.invalidate({ tags: selector.tags.map(userTag) });
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
  ) {
    const paths = invalidatedPaths(request.method, request.url, request.headers, status, headers);
    if (paths.length > 0) await this.invalidate({ paths }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all([this.engine.close(), this.#admission.close()]);
  }

  /**
   * One engine lookup. `vary` is set when `key` is a variant key found through a vary index. The
   * caller whose loader runs is told to run the handler; every other caller gets the stored
   * response, or runs the handler itself when the result may not be shared.
   */
  #resolve(
    key: string,
    vary: readonly string[] | undefined,
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req>,
    retried: boolean,
  ): Promise<CacheDecision> {
    let resolve!: (decision: CacheDecision | Promise<CacheDecision>) => void;
    const promise = new Promise<CacheDecision>((done) => {
      resolve = done;
    });
    let ran = false;
    let staleReply: ((reply: CachedReply | undefined) => void) | undefined;
    /** The stored response as the handler's 304 freshened it: what this request gets. */
    let revalidated: StoredResponse | undefined;
    /** The 304's Set-Cookie: this client's own, never stored. */
    let cookies: HeaderMap[string];
    // Known before the handler runs, so that an invalidation landing while it runs (an unsafe
    // request to the same path) leaves what it returns unstored.
    const tags = this.#tagsOf(request, policy);
    const loader = async (context: LoadContext): Promise<Buffer> => {
      const requestedAt = Date.now();
      if (context.refreshing) {
        // The client was answered with the stale response; the handler runs again on its own.
        const refreshed = request.refresh ? await request.refresh().catch(() => undefined) : undefined;
        if (refreshed && this.#failed(refreshed, policy, vary)) throw new HandlerFailed();
        return this.#store(context, key, vary, refreshed, policy, { get: true, requestedAt, tags, request });
      }
      ran = true;
      const revalidation = revalidationOf(context.previous, request.method, request.headers);
      // The handler sees the conditionals as if the client had sent them, and may answer 304.
      if (revalidation) Object.assign(request.headers, revalidation.conditionals);
      const captured = await new Promise<CapturedResponse | undefined>((done) => {
        resolve({
          action: 'run',
          capture: {
            maxBodySize: policy.maxBodySize,
            revalidating: revalidation !== undefined,
            // A HEAD miss reads MISS too (the cache was asked), though only GET responses are stored.
            willStore: (status: number, headers: HeaderMap) =>
              this.#decide(status, headers, policy, vary).store,
            finish: (response: CapturedResponse | undefined) => {
              done(response);
              return new Promise<CachedReply | undefined>((answer) => {
                staleReply = answer;
              });
            },
          },
        });
      });
      if (revalidation)
        for (const name of Object.keys(revalidation.conditionals)) delete request.headers[name];
      if (captured && this.#failed(captured, policy, vary)) throw new HandlerFailed();
      if (revalidation && captured?.status === 304) {
        const update = await freshened(revalidation.stored, captured);
        const stored = await this.#store(context, key, vary, update, policy, {
          get: true,
          requestedAt,
          tags,
          request,
        });
        const ageMs = (initialAgeMs(update.headers, Date.now()) ?? 0) + Math.max(0, Date.now() - requestedAt);
        revalidated = storedForm(update, ageMs, Boolean(this.config.surrogate));
        cookies = captured.headers['set-cookie'];
        return stored;
      }
      staleReply?.(undefined);
      const get = request.method === 'GET';
      return this.#store(context, key, vary, captured, policy, { get, requestedAt, tags, request });
    };
    this.engine.wrapWithStatus(key, loader, { tags }).then(
      (result) => {
        if (!ran) {
          resolve(this.#answer(result, key, vary, request, policy, retried));
          return;
        }
        if (revalidated) {
          this.#reply(revalidated, { status: 'hit', ageMs: 0 }, request).then(
            (reply) =>
              staleReply?.(
                cookies === undefined
                  ? reply
                  : { ...reply, headers: { ...reply.headers, 'set-cookie': [cookies].flat().map(String) } },
              ),
            () => staleReply?.(undefined),
          );
          return;
        }
        const entry = result.status === 'stale' ? decodeEntry(result.value) : undefined;
        if (entry?.kind !== 'response') staleReply?.(undefined);
        else
          this.#reply(entry.response, result, request).then(
            (reply) => staleReply?.(reply),
            () => staleReply?.(undefined),
          );
      },
      () => {
        staleReply?.(undefined);
        if (!ran) resolve({ action: 'run', capture: passThrough });
      },
    );
    return promise;
  }

  #answer(
    result: WrapResult<unknown>,
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
      return retried
        ? { action: 'run', capture: passThrough }
        : this.#resolve(key, vary, request, policy, true);
    if (entry?.kind === 'response')
      return this.#reply(entry.response, result, request).then(
        (reply): CacheDecision => ({ action: 'serve', reply }),
        // A stored body that does not decompress: not served; the handler answers this request.
        (): CacheDecision => ({ action: 'run', capture: passThrough }),
      );
    // Another request's response that may not be shared (or a HEAD's): this request runs the
    // handler itself, once more through the cache so that a storable response is stored.
    if (!retried) return this.#resolve(key, vary, request, policy, true);
    return { action: 'run', capture: passThrough };
  }

  async #store(
    context: LoadContext,
    key: string,
    vary: readonly string[] | undefined,
    captured: CapturedResponse | undefined,
    policy: RoutePolicy<Req>,
    stored: {
      /** A GET's response (a refresh is always a GET): a HEAD response has no body to store. */
      readonly get: boolean;
      /** When the request reached the cache: the time until now adds to the age (RFC 9111 §4.2.3). */
      readonly requestedAt: number;
      /** The engine tags, known before the handler ran. */
      readonly tags: readonly string[];
      readonly request: CacheRequest<Req>;
    },
  ): Promise<Buffer> {
    const { get, requestedAt, tags, request } = stored;
    const decision =
      captured && get ? this.#decide(captured.status, captured.headers, policy, vary) : undefined;
    if (!captured || !decision?.store || !(await this.#admitted(key, vary, decision, policy, request))) {
      context.skip();
      return notStored;
    }
    const entry = await this.#entry(key, vary, captured, request, policy, decision, requestedAt, tags);
    context.setOptions(entry.options);
    return entry.value;
  }

  /**
   * Whether the admission rule and the budget let a storable response be written: the keys it
   * writes (its variant's too when it varies) are reserved for its longest possible lifetime.
   */
  async #admitted(
    key: string,
    vary: readonly string[] | undefined,
    decision: Extract<StorageDecision, { store: true }>,
    policy: RoutePolicy<Req>,
    request: CacheRequest<Req>,
  ): Promise<boolean> {
    const keys =
      vary === undefined && decision.vary.length > 0
        ? [key, variantKey(key, decision.vary, request.headers)]
        : [key];
    const lifetimeMs =
      decision.ttlMs +
      Math.max(decision.staleWhileRevalidateMs, decision.staleIfErrorMs) +
      policy.keepForRevalidationMs;
    const admission = await this.#admission.admit(keys, lifetimeMs);
    if (admission === 'stored') return true;
    const counter = refusals[admission];
    this.#stats[counter]++;
    this.#metrics[counter].add();
    return false;
  }

  /**
   * The entry for the key: the stored response, or (when it varies and `key` is a base key) a vary
   * index, the response itself written to its variant's key here.
   */
  async #entry(
    key: string,
    vary: readonly string[] | undefined,
    captured: CapturedResponse,
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req>,
    decision: Extract<StorageDecision, { store: true }>,
    /** When the handler started: the time until now counts as age (RFC 9111 §4.2.3 response_delay). */
    requestedAt: number,
    tags: readonly string[],
  ) {
    const delayMs = Math.max(0, Date.now() - requestedAt);
    // Surrogate-Control was addressed to this cache: it goes no further.
    const identity = withoutOmittedHeaders(
      storedForm(captured, decision.initialAgeMs + delayMs, Boolean(this.config.surrogate)),
      policy.omitHeaders,
    );
    const stored = await bodyToStore(identity.headers, captured.body, policy.compressAbove);
    const response = encodeResponse({ ...identity, ...stored });
    const options = {
      // 0 stays 0 (no-cache: never fresh, kept for revalidation only).
      ttl: decision.ttlMs === 0 ? 0 : Math.max(1, decision.ttlMs - delayMs),
      staleWhileRevalidate: decision.staleWhileRevalidateMs,
      staleIfError: decision.staleIfErrorMs,
      // Kept past its windows only when the handler can confirm it (its own validator).
      keep: hasValidator(captured.headers) ? policy.keepForRevalidationMs : 0,
      tags,
    };
    if (vary !== undefined || decision.vary.length === 0) return { value: response, options };
    // The base key keeps the Vary names, fresh as long as its variants are kept; the response goes
    // to its variant's key.
    await this.engine.set(variantKey(key, decision.vary, request.headers), response, options);
    const indexOptions = { ...options, ttl: options.ttl + options.keep, keep: 0 };
    return { value: encodeVaryIndex({ vary: decision.vary }), options: indexOptions };
  }

  /**
   * A request with Authorization: never answered from the cache (its user may be shown something
   * else than the shared copy); its GET response is stored under the shared key only when it
   * allows that explicitly (public, s-maxage, must-revalidate: RFC 9111 §3.5).
   */
  #storeOnly(key: string, request: CacheRequest<Req>, policy: RoutePolicy<Req>): Capture {
    const requestedAt = Date.now();
    const decide = (status: number, headers: HeaderMap) =>
      this.#decide(status, headers, policy, undefined, true);
    return {
      maxBodySize: policy.maxBodySize,
      revalidating: false,
      willStore: (status, headers) => request.method === 'GET' && decide(status, headers).store,
      finish: async (captured) => {
        const decision =
          captured && request.method === 'GET' ? decide(captured.status, captured.headers) : undefined;
        if (!captured || !decision?.store) return undefined;
        if (!(await this.#admitted(key, undefined, decision, policy, request))) return undefined;
        try {
          const tags = this.#tagsOf(request, policy);
          const entry = await this.#entry(
            key,
            undefined,
            captured,
            request,
            policy,
            decision,
            requestedAt,
            tags,
          );
          await this.engine.set(key, entry.value, entry.options);
        } catch {
          // Not stored (a body that does not compress, a bug): the response went out all the same.
        }
        return undefined;
      },
    };
  }

  #tagsOf(request: CacheRequest<Req>, policy: RoutePolicy<Req>): string[] {
    return [pathTag(pathOf(request.url)), ...(policy.tags?.(request.req) ?? []).map(userTag)];
  }

  /** A 5xx that may not be stored is a failure: stale-if-error may answer instead. */
  #failed(captured: CapturedResponse, policy: RoutePolicy<Req>, vary: readonly string[] | undefined) {
    return captured.status >= 500 && !this.#decide(captured.status, captured.headers, policy, vary).store;
  }

  #decide(
    status: number,
    headers: HeaderMap,
    policy: RoutePolicy<Req>,
    vary: readonly string[] | undefined,
    authorized = false,
  ): StorageDecision {
    const { surrogate } = this.config;
    const decision = storageDecision(status, headers, policy.defaults, Date.now(), {
      authorized,
      surrogate: surrogate && parseSurrogateControl(headers['surrogate-control'], surrogate.target),
    });
    // Never fresh (no-cache) and not kept for revalidation: nothing to store.
    if (decision.store && decision.ttlMs === 0 && policy.keepForRevalidationMs === 0)
      return { store: false, reason: 'no-cache' };
    // Through a vary index, only a response that still varies on the same headers fits the key.
    if (decision.store && vary !== undefined && decision.vary.join(',') !== vary.join(','))
      return { store: false, reason: 'vary-changed' };
    return decision;
  }

  async #reply(
    stored: StoredResponse,
    result: Pick<WrapResult<unknown>, 'status' | 'ageMs'>,
    request: CacheRequest<Req>,
  ): Promise<CachedReply> {
    const representation = await representationFor(
      stored.headers,
      stored.body,
      stored.encoding,
      single(request.headers['accept-encoding']),
    );
    return this.#replyWith(stored, representation, result.status, result.ageMs, request);
  }

  #replyWith(
    stored: StoredResponse,
    representation: Representation,
    status: WrapResult<unknown>['status'],
    ageMs: number,
    request: CacheRequest<Req>,
  ): CachedReply {
    // Copied, then added to: a spread with more properties after it costs about 1.5 µs per added
    // property on Node 20 (V8 11.3), Object.assign a few ns.
    const headers: Record<string, string | string[]> = Object.assign({}, representation.headers);
    headers['x-cache'] = status === 'stale' ? 'STALE' : 'HIT';
    headers.age = ageHeader(stored, ageMs);
    const ok = stored.status >= 200 && stored.status < 300;
    if (
      ok &&
      fresh(request.headers, {
        etag: single(headers.etag),
        // Without a Last-Modified, the stored Date stands for it (RFC 9110 §13.1.3).
        'last-modified': single(headers['last-modified'] ?? headers.date),
      })
    ) {
      const notModified: Record<string, string | string[]> = {};
      for (const name of [
        'cache-control',
        'content-location',
        'date',

        'etag',
        'expires',
        'vary',
        'last-modified',
        'x-cache',
        'age',
      ]) {
        const value = headers[name];
        if (value !== undefined) notModified[name] = value;
      }
      return { status: 304, headers: notModified, body: undefined };
    }
    const part =
      stored.status === 200 && request.method === 'GET'
        ? byteRange(
            request.headers,
            { etag: single(headers.etag), lastModified: single(headers['last-modified']) },
            representation.body,
          )
        : undefined;
    if (part) {
      headers['content-range'] = part.contentRange;
      headers['content-length'] = String(part.body.length);
      return { status: 206, headers, body: part.body };
    }
    headers['content-length'] = String(representation.body.length);
    // For HEAD too: both frameworks drop the body of a HEAD response but keep its length.
    return { status: stored.status, headers, body: representation.body };
  }
}

/** A response in its stored form, body as sent: end-to-end headers and an ETag (made up if none). */
function storedForm(captured: CapturedResponse, initialAgeMs: number, dropSurrogate = false): StoredResponse {
  const headers = storableHeaders(captured.headers);
  if (dropSurrogate) delete headers['surrogate-control'];
  const generatedEtag = headers.etag === undefined;
  if (generatedEtag) headers.etag = createEtag(captured.body);
  return {
    status: captured.status,
    headers,
    encoding: 'identity',
    initialAgeMs,
    generatedEtag,
    body: captured.body,
  };
}

function revalidatedOnUse(stored: StoredResponse): boolean {
  return parseCacheControl(stored.headers['cache-control']).has('no-cache');
}

/** Rounded up: an Age may overstate, never understate (RFC 9111 §4.2.3 errs the same way). */
function ageHeader(stored: StoredResponse, ageMs: number): string {
  return String(Math.ceil((stored.initialAgeMs + ageMs) / 1000));
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** Engine tags: user tags and path tags kept apart so neither can invalidate the other by accident. */
function userTag(tag: string): string {
  return `tag:${tag}`;
}

function pathTag(path: string): string {
  return `path:${path}`;
}

/** The stats and metrics counter of each reason a storable response was not stored. */
const refusals = {
  unadmitted: 'unadmitted',
  'over-budget': 'overBudget',
  failed: 'admissionErrors',
} as const satisfies Record<Exclude<Admission, 'stored'>, keyof ResponseCacheStats>;

function metricOf(decision: CacheDecision): keyof typeof responseCacheMetricSpecs {
  if (decision.action === 'bypass') return 'bypass';
  if (decision.action === 'run') return 'misses';
  return decision.reply.headers['x-cache'] === 'STALE' ? 'stale' : 'hits';
}
