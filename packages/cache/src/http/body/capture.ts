import type { HeaderMap } from '../rfc9111/headers';

/** A response as the handler sent it, captured while it went to the client. */
export interface CapturedResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: Buffer;
}

/**
 * Collects the bytes of a body as it is written, up to a limit: past it the collected chunks are
 * dropped (the response is passed through, not stored) so a large download costs no memory.
 */
export class BodyCollector {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #oversize = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: unknown, encoding?: BufferEncoding): void {
    if (this.#oversize || chunk === undefined || chunk === null) return;
    let bytes: Buffer;
    if (typeof chunk === 'string') bytes = Buffer.from(chunk, encoding ?? 'utf8');
    else if (chunk instanceof Uint8Array)
      bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else return;
    this.#size += bytes.length;
    if (this.#size > this.#limit) {
      this.#oversize = true;
      this.#chunks = [];
      return;
    }
    // A copy: the writer may reuse its buffer once write() returns.
    this.#chunks.push(Buffer.from(bytes));
  }

  /** The whole body, or undefined when it was over the limit. */
  body(): Buffer | undefined {
    return this.#oversize ? undefined : Buffer.concat(this.#chunks);
  }
}
