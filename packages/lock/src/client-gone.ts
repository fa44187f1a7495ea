import type { EventEmitter } from 'node:events';

/**
 * Watches the response for the client going away while a guard acquires. Cheap on the common
 * path: one 'close' listener, removed once the acquire settled; the AbortSignal that cancels a
 * waiting acquire is created only for an acquire that may wait, and the reason only on a close.
 */
export class ClientGone {
  #closed = false;
  #controller: AbortController | undefined;
  readonly #response: EventEmitter;
  readonly #onClose = (): void => {
    this.#closed = true;
    this.#controller?.abort(clientClosed());
  };

  constructor(response: EventEmitter) {
    this.#response = response;
    response.once('close', this.#onClose);
  }

  /** True once the response closed before the acquire settled. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Aborted when the client goes away: for an acquire that waits. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#closed) this.#controller.abort(clientClosed());
    }
    return this.#controller.signal;
  }

  /** The acquire settled: from here the lock's own release listeners take over. */
  stop(): void {
    this.#response.removeListener('close', this.#onClose);
  }
}

function clientClosed(): Error {
  return new Error('The client closed the connection.');
}
