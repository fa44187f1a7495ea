import type { CapturedResponse } from './body/capture';
import type { CachedReply } from './cache-request';
import type { HeaderMap } from './rfc9111/headers';

/** The handler runs for this request: the adapter captures its response and hands it to `store`. */
export interface HandlerRun {
  readonly action: 'run';
  /** Largest body that is stored; the adapter stops collecting past it. */
  readonly maxBodySize: number;
  /**
   * True when the handler was asked to confirm a stale entry (If-None-Match / If-Modified-Since
   * added): the adapter holds a 304 back as it holds a 5xx, and `store` answers with the stored
   * response to send instead.
   */
  readonly revalidating: boolean;
  /** At header time: whether this response will be stored (X-Cache MISS) or not (BYPASS). */
  willStore(status: number, headers: HeaderMap): boolean;
  /**
   * The response is complete (undefined: aborted, or over maxBodySize); called once. Resolves with
   * a stored reply to send instead when the handler failed and stale-if-error allows one, or when
   * it confirmed a revalidated entry with a 304; else with undefined, at once for a response that
   * goes out as the handler wrote it (it is stored in the background: the client never waits).
   */
  store(response: CapturedResponse | undefined): Promise<CachedReply | undefined>;
}

/**
 * What the response cache decided for one request: serve a stored reply, run the handler through
 * the cache, or stay out of the way (X-Cache: BYPASS).
 */
export type CacheDecision =
  | { readonly action: 'bypass' }
  | { readonly action: 'serve'; readonly reply: CachedReply }
  | HandlerRun;

/** A run whose response is never stored (not shareable, or the engine failed): X-Cache turns BYPASS. */
export const unstoredRun: HandlerRun = {
  action: 'run',
  maxBodySize: 0,
  revalidating: false,
  willStore: () => false,
  store: async () => undefined,
};
