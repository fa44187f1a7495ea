import type { IncomingHttpHeaders } from 'node:http';
import { bindCounters } from '@rediware/core';
import createEtag from 'etag';
import fresh from 'fresh';
import type { CapturedResponse } from './body-capture';
import { requestedRange } from './byte-ranges';
import { type Cache, createCache, type WrapResult } from './cache';
import { baseKey, pathOf, variantKey } from './cache-key';
import { responseCacheMetricSpecs } from './cache-metrics';
import {
  authorizedRequest,
  type HeaderMap,
  requestBypassReason,
  type StorageDecision,
  storageDecision,
} from './cacheability';
import { bodyToStore, representationFor } from './content-encoding';
import type { LoadContext } from './load-context';
import {
  parseResponseCacheOptions,
  parseRouteOptions,
  type ResponseCacheConfig,
  type ResponseCacheRouteOptions,
  type RoutePolicy,
} from './response-options';
import {
  decodeEntry,
  encodeResponse,
  encodeVaryIndex,
  type StoredResponse,
  storableHeaders,
} from './stored-response';
import { parseSurrogateControl } from './surrogate-control';

/** The parts of a request the response cache looks at. */
export interface CacheRequest<Req> {
  readonly req: Req;
  readonly method: string;
  /** The request target: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
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
  /** At header time: whether this response will be stored (X-Cache MISS) or not (BYPASS). */
  willStore(status: number, headers: HeaderMap): boolean;
  /**
   * The response is complete (undefined: aborted, or over maxBodySize). Resolves with a stored
   * reply to send instead when the handler failed and stale-if-error allows one, for adapters that
   * can still replace the response; else undefined.
   */
  finish(response: CapturedResponse | undefined): Promise<CachedReply | undefined>;
}

export type CacheDecision =
  | { readonly action: 'bypass' }
  | { readonly action: 'serve'; readonly reply: CachedReply }
  | { readonly action: 'run'; readonly capture: Capture };

export interface ResponseCacheStats {
  hits: number;
  stale: number;
  /** Requests that ran the handler through the cache (its response stored or not). */
  misses: number;
  bypasses: number;
}

export type XCache = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';

export type InvalidationSelector =
  | { readonly tags: readonly string[] }
  | { readonly paths: readonly string[] };

/** Thrown inside the loader for a 5xx response, so the engine's stale-if-error can answer instead. */
class HandlerFailed extends Error {}

/** What a loader returns when the response must not be shared: no decodable entry. */
const notStored = Buffer.alloc(0);

/** A capture that stores nothing (bypassed or unshareable responses). */
const passThrough: Capture = {
  maxBodySize: 0,
  willStore: () => false,
  finish: async () => undefined,
};

/**
 * The framework-neutral HTTP response cache on top of the data-cache engine: the key, what may be
 * stored (RFC 9111 for a shared cache), the stored form, replies with ETag/304, X-Cache and Age.
 * The engine gives coalescing across processes, tags, stale windows and the fail-open policy.
 */
export class ResponseCache<Req> {
  readonly config: ResponseCacheConfig<Req>;
  readonly engine: Cache;
  readonly #stats: ResponseCacheStats = { hits: 0, stale: 0, misses: 0, bypasses: 0 };
  readonly #metrics;

  constructor(options: unknown) {
    this.config = parseResponseCacheOptions<Req>(options);
    const { redis, prefix, timeout, l1, metrics } = this.config;
    this.#metrics = bindCounters(responseCacheMetricSpecs, metrics);
    this.engine = createCache({
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

  async #begin(
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req> = this.config.route,
  ): Promise<CacheDecision> {
    if (requestBypassReason(request.method, request.headers, policy.key !== undefined))
      return { action: 'bypass' };
    let host: string | undefined;
    if (this.config.trustedHosts) {
      host = String(request.headers.host ?? '').toLowerCase();
      // An unknown Host is never cached: it can be neither poisoned nor served a wrong entry.
      if (!this.config.trustedHosts.has(host)) return { action: 'bypass' };
    }
    let user: string | undefined;
    if (policy.key) {
      user = policy.key(request.req);
      if (user === undefined) return { action: 'bypass' };
    }
    const base = baseKey({ host, url: request.url, user, headers: request.headers, vary: policy.vary });
    if (authorizedRequest(request.headers, policy.key !== undefined))
      return { action: 'run', capture: this.#storeOnly(base, request, policy) };
    return this.#resolve(base, undefined, request, policy, false);
  }

  async invalidate(selector: InvalidationSelector): Promise<void> {
    if ('paths' in selector) await this.engine.invalidate({ tags: selector.paths.map(pathTag) });
    else await this.engine.invalidate({ tags: selector.tags.map(userTag) });
  }

  close(): Promise<void> {
    return this.engine.close();
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
    const loader = async (context: LoadContext): Promise<Buffer> => {
      const requestedAt = Date.now();
      if (context.refreshing) {
        // The client was answered with the stale response; the handler runs again on its own.
        const refreshed = request.refresh ? await request.refresh().catch(() => undefined) : undefined;
        if (refreshed && this.#failed(refreshed, policy, vary)) throw new HandlerFailed();
        return this.#store(context, key, vary, refreshed, request, policy, true, requestedAt);
      }
      ran = true;
      const captured = await new Promise<CapturedResponse | undefined>((done) => {
        resolve({
          action: 'run',
          capture: {
            maxBodySize: policy.maxBodySize,
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
      if (captured && this.#failed(captured, policy, vary)) throw new HandlerFailed();
      staleReply?.(undefined);
      const get = request.method === 'GET';
      return this.#store(context, key, vary, captured, request, policy, get, requestedAt);
    };
    this.engine.wrapWithStatus(key, loader).then(
      (result) => {
        if (!ran) {
          resolve(this.#answer(result, key, vary, request, policy, retried));
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
    request: CacheRequest<Req>,
    policy: RoutePolicy<Req>,
    /** A GET's response (a refresh is always a GET): a HEAD response has no body to store. */
    get: boolean,
    requestedAt: number,
  ): Promise<Buffer> {
    const decision =
      captured && get ? this.#decide(captured.status, captured.headers, policy, vary) : undefined;
    if (!captured || !decision?.store) {
      context.skip();
      return notStored;
    }
    const entry = await this.#entry(key, vary, captured, request, policy, decision, requestedAt);
    context.setOptions(entry.options);
    return entry.value;
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
  ) {
    const delayMs = Math.max(0, Date.now() - requestedAt);
    const headers = storableHeaders(captured.headers);
    // Surrogate-Control was addressed to this cache: it goes no further.
    if (this.config.surrogate) delete headers['surrogate-control'];
    if (headers.etag === undefined) headers.etag = createEtag(captured.body);
    const stored = await bodyToStore(headers, captured.body, policy.compressAbove);
    const response = encodeResponse({
      status: captured.status,
      headers,
      initialAgeMs: decision.initialAgeMs + delayMs,
      ...stored,
    });
    const tags = [pathTag(pathOf(request.url)), ...(policy.tags?.(request.req) ?? []).map(userTag)];
    const options = {
      ttl: Math.max(1, decision.ttlMs - delayMs),
      staleWhileRevalidate: decision.staleWhileRevalidateMs,
      staleIfError: decision.staleIfErrorMs,
      tags,
    };
    if (vary !== undefined || decision.vary.length === 0) return { value: response, options };
    // The base key keeps the Vary names; the response goes to its variant's key.
    await this.engine.set(variantKey(key, decision.vary, request.headers), response, options);
    return { value: encodeVaryIndex({ vary: decision.vary }), options };
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
      willStore: (status, headers) => request.method === 'GET' && decide(status, headers).store,
      finish: async (captured) => {
        const decision =
          captured && request.method === 'GET' ? decide(captured.status, captured.headers) : undefined;
        if (!captured || !decision?.store) return undefined;
        try {
          const entry = await this.#entry(key, undefined, captured, request, policy, decision, requestedAt);
          await this.engine.set(key, entry.value, entry.options);
        } catch {
          // Not stored (a body that does not compress, a bug): the response went out all the same.
        }
        return undefined;
      },
    };
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
    // Through a vary index, only a response that still varies on the same headers fits the key.
    if (decision.store && vary !== undefined && decision.vary.join(',') !== vary.join(','))
      return { store: false, reason: 'vary-changed' };
    return decision;
  }

  async #reply(
    stored: StoredResponse,
    result: WrapResult<unknown>,
    request: CacheRequest<Req>,
  ): Promise<CachedReply> {
    const representation = await representationFor(
      stored.headers,
      stored.body,
      stored.encoding,
      single(request.headers['accept-encoding']),
    );
    const headers: Record<string, string | string[]> = {
      ...representation.headers,
      'x-cache': result.status === 'stale' ? 'STALE' : 'HIT',
      // Rounded up: an Age may overstate, never understate (RFC 9111 §4.2.3 errs the same way).
      age: String(Math.ceil((stored.initialAgeMs + result.ageMs) / 1000)),
    };
    const ok = stored.status >= 200 && stored.status < 300;
    if (
      ok &&
      fresh(request.headers, {
        etag: single(headers.etag),
        'last-modified': single(headers['last-modified']),
      })
    ) {
      const notModified: Record<string, string | string[]> = {};
      for (const name of [
        'cache-control',
        'content-location',
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
    const size = representation.body.length;
    const range = stored.status === 200 ? requestedRange(request.headers, headers, size) : undefined;
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = String(range.end - range.start + 1);
      return { status: 206, headers, body: representation.body.subarray(range.start, range.end + 1) };
    }
    headers['content-length'] = String(size);
    // For HEAD too: both frameworks drop the body of a HEAD response but keep its length.
    return { status: stored.status, headers, body: representation.body };
  }
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

function metricOf(decision: CacheDecision): keyof typeof responseCacheMetricSpecs {
  if (decision.action === 'bypass') return 'bypass';
  if (decision.action === 'run') return 'misses';
  return decision.reply.headers['x-cache'] === 'STALE' ? 'stale' : 'hits';
}
