/** What a first request's handler gets: `req.idempotency` / `request.idempotency`. */
export interface IdempotentRequest {
  /** The `Idempotency-Key` this request holds until its response is stored or released. */
  readonly key: string;
  /**
   * Greater than the token of every earlier holder of a key in its slot: pass it with writes the
   * handler makes, so a storage that remembers the highest token refuses a stale holder's write.
   */
  readonly fencingToken: number;
}
