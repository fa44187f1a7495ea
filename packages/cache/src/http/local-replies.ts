import {
  decompressedBody,
  identityBytes,
  type Representation,
  storedBytes,
  takesGzip,
} from './body/content-encoding';
import type { CachedReply, CacheRequest } from './cache-request';
import type { ResponseEngine } from './engine-port';
import { variantKey } from './request-key';
import { ageHeader, firstValue, replyWith } from './stored-reply';
import { decodeEntry, type StoredEntry, type StoredResponse } from './stored-response';

/** Marks a decompression under way in `#decompressed`. */
const pending = Symbol('pending');

/**
 * Replies from this process's L1 alone, synchronously: a fresh stored response (through its vary
 * index when it varies) as a lookup would serve it, with what it costs to build kept per entry.
 */
export class LocalReplies {
  readonly #engine: ResponseEngine;
  /** Per stored response served from L1: the headers of a hit without validators or Range, Age aside. */
  readonly #plainHitHeaders = new WeakMap<StoredResponse, CachedReply['headers']>();
  /**
   * Per stored response served from L1 with a body stored gzip: the representation with its bytes
   * decompressed, once a client that does not take gzip asked for it (`pending` while zlib works).
   */
  readonly #decompressed = new WeakMap<StoredResponse, Representation | typeof pending>();

  constructor(engine: ResponseEngine) {
    this.#engine = engine;
  }

  /** The reply for the entry of `base`, or undefined when a lookup must decide. */
  reply<Req>(base: string, request: CacheRequest<Req>): CachedReply | undefined {
    return this.#engine.localHit(base, decodeEntry, (entry, ageMs) =>
      entry?.kind === 'vary'
        ? this.#engine.localHit(
            variantKey(base, entry.vary, request.headers),
            decodeEntry,
            (variant, ageMs) => this.#localReply(variant, ageMs, request),
          )
        : this.#localReply(entry, ageMs, request),
    );
  }

  #localReply<Req>(
    entry: StoredEntry | undefined,
    ageMs: number,
    request: CacheRequest<Req>,
  ): CachedReply | undefined {
    if (entry?.kind !== 'response') return undefined;
    const stored = entry.response;
    const { headers } = request;
    if (stored.encoding === 'gzip' && !takesGzip(firstValue(headers['accept-encoding'])))
      return this.#decompressedReply(stored, ageMs, request);
    if (
      headers['if-none-match'] !== undefined ||
      headers['if-modified-since'] !== undefined ||
      headers.range !== undefined
    ) {
      const representation = storedBytes(stored.headers, stored.body, stored.encoding);
      return replyWith(stored, representation, 'hit', ageMs, request);
    }
    // A plain hit: the headers replyWith gives a request without validators or Range, built once
    // per stored response, copied with this hit's Age.
    let plain = this.#plainHitHeaders.get(stored);
    if (!plain) {
      const representation = storedBytes(stored.headers, stored.body, stored.encoding);
      plain = replyWith(stored, representation, 'hit', 0, { ...request, headers: {} }).headers;
      this.#plainHitHeaders.set(stored, plain);
    }
    const replyHeaders = { ...plain };
    replyHeaders.age = ageHeader(stored, ageMs);
    return { status: stored.status, headers: replyHeaders, body: stored.body };
  }

  /**
   * A body stored gzip, for a client that does not take gzip: decompressed once per entry, off the
   * event loop, and kept with it for the next such client. Until the bytes are there, undefined:
   * the request goes the lookup's way, which decompresses for itself.
   */
  #decompressedReply<Req>(
    stored: StoredResponse,
    ageMs: number,
    request: CacheRequest<Req>,
  ): CachedReply | undefined {
    const identity = this.#decompressed.get(stored);
    if (identity === undefined) {
      this.#decompressed.set(stored, pending);
      decompressedBody(stored.body).then(
        (body) => this.#decompressed.set(stored, identityBytes(stored.headers, body)),
        // A body that will not decompress is the lookup's to report: it tries on every request.
        () => this.#decompressed.delete(stored),
      );
    }
    if (identity === undefined || identity === pending) return undefined;
    return replyWith(stored, identity, 'hit', ageMs, request);
  }
}
