/** A response as it is stored and replayed. */
export interface StoredResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The headers safe to replay (see replayable-headers.ts), lower-case names. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body's bytes; empty when it was over `maxBodySize`. */
  readonly body: Buffer;
}
