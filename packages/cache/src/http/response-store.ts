import type { CapturedResponse } from './body/capture';
import { bodyToStore } from './body/content-encoding';
import type { CacheRequest } from './cache-request';
import type { LoadContext, ResponseEngine, StoreOptions } from './engine-port';
import { withoutOmittedHeaders } from './omitted-headers';
import type { ResponseCacheConfig, RoutePolicy } from './options';
import { variantKey } from './request-key';
import { requestTags } from './request-tags';
import type { ResponseCounters } from './response-counters';
import { hasValidator, type StorageDecision, storageDecision } from './rfc9111/cacheability';
import type { HeaderMap } from './rfc9111/headers';
import { parseSurrogateControl } from './rfc9111/surrogate-control';
import type { Refusal, StoreAdmission } from './store-admission';
import { encodeResponse, encodeVaryIndex, storedForm } from './stored-response';

/** How long a stored response may be kept: its budget reservation lasts that long. */
function lifetimeOf(decision: Storable, policy: { readonly keepForRevalidationMs: number }): number {
  return (
    decision.ttlMs +
    Math.max(decision.staleWhileRevalidateMs, decision.staleIfErrorMs) +
    policy.keepForRevalidationMs
  );
}

/** What a loader returns when the response must not be shared: no decodable entry. */
const notStored = Buffer.alloc(0);

type Storable = Extract<StorageDecision, { store: true }>;

/** The response a loader stores, and what it was asked for. */
export interface LoadedResponse<Req> {
  readonly request: CacheRequest<Req>;
  readonly policy: RoutePolicy<Req>;
  /** The key the engine loads; `vary` is set when it is a variant key found through a vary index. */
  readonly key: string;
  readonly vary: readonly string[] | undefined;
  /** A GET's response (a refresh is always a GET): a HEAD response has no body to store. */
  readonly get: boolean;
  /** When the request reached the cache: the time until now adds to the age (RFC 9111 §4.2.3). */
  readonly requestedAt: number;
  /** The engine tags, known before the handler ran. */
  readonly tags: readonly string[];
}

/**
 * Decides what is stored (RFC 9111 for a shared cache, the route's policy, the admission rule and
 * budget) and writes it in its stored form: the engine's value for a key, and its variant's.
 */
export class ResponseStore<Req> {
  readonly #config: ResponseCacheConfig<Req>;
  readonly #engine: ResponseEngine;
  readonly #admission: StoreAdmission;
  readonly #counters: ResponseCounters;

  constructor(
    config: ResponseCacheConfig<Req>,
    engine: ResponseEngine,
    admission: StoreAdmission,
    counters: ResponseCounters,
  ) {
    this.#config = config;
    this.#engine = engine;
    this.#admission = admission;
    this.#counters = counters;
  }

  /** Whether a response with this status and these headers may be stored, and how long. */
  decide(
    status: number,
    headers: HeaderMap,
    policy: RoutePolicy<Req>,
    vary: readonly string[] | undefined,
    authorized = false,
  ): StorageDecision {
    const { surrogate } = this.#config;
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

  /** A 5xx that may not be stored is a failure: stale-if-error may answer instead. */
  failed(captured: CapturedResponse, policy: RoutePolicy<Req>, vary: readonly string[] | undefined): boolean {
    return captured.status >= 500 && !this.decide(captured.status, captured.headers, policy, vary).store;
  }

  /** The loader's value for a response (undefined: aborted): its stored form, or nothing stored. */
  async loaded(context: LoadContext, captured: CapturedResponse | undefined, load: LoadedResponse<Req>) {
    const { vary, policy } = load;
    const decision =
      captured && load.get ? this.decide(captured.status, captured.headers, policy, vary) : undefined;
    if (!captured || !decision?.store || !(await this.#guarded(context, load, decision))) {
      context.skip();
      return notStored;
    }
    const entry = await this.#entry(captured, decision, load);
    context.setOptions(entry.options);
    return entry.value;
  }

  /**
   * The GET response to a request with Authorization, stored under the shared key when `decision`
   * allows that (RFC 9111 §3.5); it is never answered from there itself.
   */
  async storeShared(
    captured: CapturedResponse,
    decision: Storable,
    load: Omit<LoadedResponse<Req>, 'tags'>,
  ): Promise<void> {
    if (!(await this.#admitted(load.key, undefined, decision, load.policy, load.request))) return;
    try {
      const tags = requestTags(load.request, load.policy);
      const entry = await this.#entry(captured, decision, { ...load, tags });
      await this.#engine.set(load.key, entry.value, entry.options);
    } catch {
      // Not stored (a body that does not compress, a bug): the response went out all the same.
    }
  }

  /**
   * Whether a loaded response may go on to be written: a single entry is checked by the engine in
   * the script that writes it (no round trip of its own on a standalone server); a response that
   * varies writes its variant first, so it is admitted before.
   */
  async #guarded(context: LoadContext, load: LoadedResponse<Req>, decision: Storable): Promise<boolean> {
    const { key, vary, policy, request } = load;
    if (vary !== undefined || decision.vary.length === 0) {
      if (this.#admission.paused) {
        this.#counters.refused('failed');
        return false;
      }
      const refused = (admission: Refusal) => this.#counters.refused(admission);
      context.guardWrite(this.#admission.guard([key], lifetimeOf(decision, policy), refused));
      return true;
    }
    return this.#admitted(key, vary, decision, policy, request);
  }

  /**
   * Whether the admission rule and the budget let a storable response be written: the keys it
   * writes (its variant's too when it varies) are reserved for its longest possible lifetime.
   */
  async #admitted(
    key: string,
    vary: readonly string[] | undefined,
    decision: Storable,
    policy: RoutePolicy<Req>,
    request: CacheRequest<Req>,
  ): Promise<boolean> {
    const keys =
      vary === undefined && decision.vary.length > 0
        ? [key, variantKey(key, decision.vary, request.headers)]
        : [key];
    const admission = await this.#admission.admit(keys, lifetimeOf(decision, policy));
    if (admission === 'stored') return true;
    this.#counters.refused(admission);
    return false;
  }

  /**
   * The entry for the key: the stored response, or (when it varies and `key` is a base key) a vary
   * index, the response itself written to its variant's key here.
   */
  async #entry(
    captured: CapturedResponse,
    decision: Storable,
    load: LoadedResponse<Req>,
  ): Promise<{ value: Buffer; options: StoreOptions }> {
    const { key, vary, request, policy, requestedAt, tags } = load;
    // When the handler started: the time until now counts as age (RFC 9111 §4.2.3 response_delay).
    const delayMs = Math.max(0, Date.now() - requestedAt);
    // Surrogate-Control was addressed to this cache: it goes no further.
    const identity = withoutOmittedHeaders(
      storedForm(captured, decision.initialAgeMs + delayMs, Boolean(this.#config.surrogate)),
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
    await this.#engine.set(variantKey(key, decision.vary, request.headers), response, options);
    const indexOptions = { ...options, ttl: options.ttl + options.keep, keep: 0 };
    return { value: encodeVaryIndex({ vary: decision.vary }), options: indexOptions };
  }
}
