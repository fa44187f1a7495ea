import type { EventEmitter } from 'node:events';
import type { Lock } from './held-lock';

/**
 * Watches the response for the client going away while a guard acquires, then releases the lock
 * it got when the response closes. Cheap on the common path: one 'close' listener for both, and
 * the AbortSignal that cancels a waiting acquire is created only for an acquire that may wait,
 * the reason only on a close.
 */
export class ClientGone {
  #closed = false;
  #controller: AbortController | undefined;
  #lock: Lock | undefined;
  readonly #response: EventEmitter;
  readonly #onClose = (): void => {
    this.#closed = true;
    if (this.#lock !== undefined) releaseQuietly(this.#lock);
    else this.#controller?.abort(clientClosed());
  };

  constructor(response: EventEmitter) {
    this.#response = response;
    response.once('close', this.#onClose);
  }

  /** Aborted when the client goes away: for an acquire that waits. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#closed) this.#controller.abort(clientClosed());
    }
    return this.#controller.signal;
  }

  /** The acquire settled without a lock: nothing to watch any more. */
  stop(): void {
    this.#response.removeListener('close', this.#onClose);
  }

  /**
   * The acquire settled with a lock: it is released when the response closes (Node emits 'close'
   * after 'finish', and also when the client leaves first), or now if it already has; then this
   * returns false and the request must not go on.
   */
  holdUntilClose(lock: Lock): boolean {
    if (this.#closed) {
      releaseQuietly(lock);
      return false;
    }
    this.#lock = lock;
    return true;
  }
}

/** A failed release was reported as a `failure` event; the lock expires at its ttl. */
function releaseQuietly(lock: Lock): void {
  lock.release().catch(() => {});
}

function clientClosed(): Error {
  return new Error('The client closed the connection.');
}
