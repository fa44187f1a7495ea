import { atTurnEnd } from '../turn-end';

/** The part of a socket that coalescing needs. */
export interface CorkableStream {
  readonly writable: boolean;
  cork(): void;
  uncork(): void;
}

/**
 * Gathers the commands written to one connection during an event-loop turn into one socket
 * write: the first write of a turn corks the socket, and it is uncorked in that turn's check
 * phase (`atTurnEnd`, after the batches flushed there), so every command sent meanwhile, from any request, leaves in one
 * `writev` instead of one system call each. This is what node-redis v5 does for its own
 * commands; ioredis (without its opt-in `enableAutoPipelining`) writes each command at once. The
 * commands, their order and their replies are the client's as before: only the writes are fewer.
 */
export class WriteCoalescer {
  #corked: CorkableStream | undefined;
  readonly #uncork = (): void => {
    const stream = this.#corked;
    this.#corked = undefined;
    stream?.uncork();
  };

  /** Call before handing a command to the client; a stream not writable is left alone. */
  hold(stream: CorkableStream | undefined): void {
    if (this.#corked !== undefined || stream === undefined || !stream.writable) return;
    this.#corked = stream;
    stream.cork();
    atTurnEnd(this.#uncork);
  }
}
