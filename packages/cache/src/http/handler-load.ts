import type { CapturedResponse } from './body/capture';
import type { HandlerRun } from './cache-decision';
import type { CachedReply, CacheRequest } from './cache-request';
import type { LoadingFlight } from './engine-flight';
import type { LoadContext, WrapResult } from './engine-port';
import type { RoutePolicy } from './options';
import type { ResponseStore } from './response-store';
import { freshened, type Revalidation, revalidationOf } from './revalidation';
import { initialAgeMs } from './rfc9111/response-age';
import { replyFor } from './stored-reply';
import { decodeEntry, type StoredResponse, storedForm } from './stored-response';

/** Thrown into the engine for a 5xx response, so the engine's stale-if-error can answer instead. */
class HandlerFailed extends Error {}

/** The entry one request loads, and how its response is stored. */
export interface LoadTarget<Req> {
  readonly request: CacheRequest<Req>;
  readonly policy: RoutePolicy<Req>;
  /** The key the engine loads; `vary` is set when it is a variant key found through a vary index. */
  readonly key: string;
  readonly vary: readonly string[] | undefined;
  /** Known before the handler runs, so that an invalidation landing while it runs leaves it unstored. */
  readonly tags: readonly string[];
  readonly store: ResponseStore<Req>;
  /** Surrogate-Control goes no further than this cache. */
  readonly surrogate: boolean;
}

/**
 * The engine elected this request to load the entry: the handler runs for it, and its response is
 * the entry's new value. When a stale entry with a validator is kept, the handler is asked to
 * confirm it (RFC 9111 §4.3.1): a 304 freshens the stored response, which this client gets whole.
 */
export function loadingRun<Req>(flight: LoadingFlight, target: LoadTarget<Req>): HandlerRun {
  const { request, policy, vary, store } = target;
  const requestedAt = Date.now();
  const revalidation = revalidationOf(flight.context.previous, request.method, request.headers);
  // The handler sees the conditionals as if the client had sent them, and may answer 304.
  if (revalidation) Object.assign(request.headers, revalidation.conditionals);
  const loaded = (captured: CapturedResponse | undefined, get: boolean) =>
    store.loaded(flight.context, captured, { ...target, get, requestedAt });
  return {
    action: 'run',
    maxBodySize: policy.maxBodySize,
    revalidating: revalidation !== undefined,
    // A HEAD miss reads MISS too (the cache was asked), though only GET responses are stored.
    willStore: (status, headers) => store.decide(status, headers, policy, vary).store,
    store: async (captured) => {
      if (revalidation)
        for (const name of Object.keys(revalidation.conditionals)) delete request.headers[name];
      if (captured && store.failed(captured, policy, vary))
        return staleReply(await flight.settle(Promise.reject(new HandlerFailed())), request);
      if (revalidation && captured?.status === 304)
        return confirmed(flight, revalidation, captured, target, requestedAt);
      // The response goes out as the handler wrote it; the client does not wait for the store.
      void flight.settle(loaded(captured, request.method === 'GET'));
      return undefined;
    },
  };
}

/**
 * The handler's 304 confirmed the stale entry: the stored response, freshened (RFC 9111 §4.3.4),
 * is stored again and sent instead, with the 304's Set-Cookie (this client's own, never stored).
 */
async function confirmed<Req>(
  flight: LoadingFlight,
  revalidation: Revalidation,
  notModified: CapturedResponse,
  target: LoadTarget<Req>,
  requestedAt: number,
): Promise<CachedReply | undefined> {
  const { request, store } = target;
  const freshening = freshened(revalidation.stored, notModified).then(async (update) => {
    const value = await store.loaded(flight.context, update, { ...target, get: true, requestedAt });
    const ageMs = (initialAgeMs(update.headers, Date.now()) ?? 0) + Math.max(0, Date.now() - requestedAt);
    return { value, response: storedForm(update, ageMs, target.surrogate) };
  });
  const result = await flight.settle(freshening.then(({ value }) => value));
  const revalidated: StoredResponse | undefined = await freshening.then(
    ({ response }) => response,
    () => undefined,
  );
  if (!result || !revalidated) return staleReply(result, request);
  const reply = await replyFor(revalidated, 'hit', 0, request).catch(() => undefined);
  const cookies = notModified.headers['set-cookie'];
  if (!reply || cookies === undefined) return reply;
  return { ...reply, headers: { ...reply.headers, 'set-cookie': [cookies].flat().map(String) } };
}

/** The stale response the engine answered with (stale-if-error) after the load failed, if any. */
async function staleReply<Req>(
  result: WrapResult<Buffer> | undefined,
  request: CacheRequest<Req>,
): Promise<CachedReply | undefined> {
  const entry = result?.status === 'stale' ? decodeEntry(result.value) : undefined;
  if (!result || entry?.kind !== 'response') return undefined;
  return replyFor(entry.response, result.status, result.ageMs, request).catch(() => undefined);
}

/**
 * A background refresh under stale-while-revalidate: the client was answered with the stale
 * response; the handler runs again on its own (through `request.refresh`) for the entry's new value.
 */
export async function refreshLoad<Req>(context: LoadContext, target: LoadTarget<Req>): Promise<Buffer> {
  const { request, policy, vary, store } = target;
  const requestedAt = Date.now();
  const refreshed = request.refresh ? await request.refresh().catch(() => undefined) : undefined;
  if (refreshed && store.failed(refreshed, policy, vary)) throw new HandlerFailed();
  return store.loaded(context, refreshed, { ...target, get: true, requestedAt });
}
