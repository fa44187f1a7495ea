import type { ServerResponse } from 'node:http';
import { ClientGoneError } from './errors';
import type { HeldLock } from './held-lock';

/**
 * Watches the response for the client going away while a guard acquires (the wait is cancelled),
 * then holds the lock it got until the handler has finished: released when the response closes
 * after it was ended (Node emits 'close' after 'finish'). A client that leaves while the handler
 * runs does not release it: the handler may still be writing what the lock protects. Then the
 * lock's signal aborts with a ClientGoneError, auto-extension stops (a handler that never ends
 * holds it for its ttl at most), and the lock is released when the handler is done: when it ends
 * the response (Node emits no event for an end after the socket closed, hence the wrapped `end`)
 * or, where the adapter can see it, when its promise settles (`handlerRunning`).
 *
 * Cheap on the common path: one 'close' listener for all of it, and the AbortSignal that cancels a
 * waiting acquire is created only for an acquire that may wait.
 */
export class ClientGone {
  #closed = false;
  /** The handler's promise, where the adapter sees it: looked at only if the client leaves. */
  #handler: PromiseLike<unknown> | undefined;
  #controller: AbortController | undefined;
  #lock: HeldLock | undefined;
  readonly #response: ServerResponse;
  readonly #onClose = (): void => {
    this.#closed = true;
    const lock = this.#lock;
    if (lock === undefined) this.#controller?.abort(new ClientGoneError());
    else if (this.#response.writableEnded) releaseQuietly(lock);
    else {
      lock.abandon(new ClientGoneError());
      releaseOnEnd(this.#response, lock);
      if (this.#handler !== undefined) releaseOnSettled(this.#handler, lock);
    }
  };

  constructor(response: ServerResponse) {
    this.#response = response;
    response.once('close', this.#onClose);
  }

  /** Aborted when the client goes away: for an acquire that waits. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#closed) this.#controller.abort(new ClientGoneError());
    }
    return this.#controller.signal;
  }

  /** The acquire settled without a lock: nothing to watch any more. */
  stop(): void {
    this.#response.removeListener('close', this.#onClose);
  }

  /**
   * The acquire settled with a lock: it is held until the handler has finished, or released now
   * if the client already left before the handler started; then this returns false and the
   * request must not go on.
   */
  holdUntilDone(lock: HeldLock): boolean {
    if (this.#closed) {
      releaseQuietly(lock);
      return false;
    }
    this.#lock = lock;
    return true;
  }

  /** The handler returned this promise: once the client has left, its settling releases the lock. */
  handlerRunning(handler: PromiseLike<unknown>): void {
    this.#handler = handler;
    if (this.#closed && this.#lock !== undefined) releaseOnSettled(handler, this.#lock);
  }
}

/** Releases the lock when the response is ended, which after a disconnect emits no event. */
function releaseOnEnd(response: ServerResponse, lock: HeldLock): void {
  const end = response.end;
  response.end = function endAndRelease(this: ServerResponse, ...args: Parameters<typeof end>) {
    response.end = end;
    releaseQuietly(lock);
    return end.apply(this, args);
  } as typeof end;
}

function releaseOnSettled(handler: PromiseLike<unknown>, lock: HeldLock): void {
  const release = (): void => releaseQuietly(lock);
  handler.then(release, release);
}

/** A failed release was reported as a `failure` event; the lock expires at its ttl. */
function releaseQuietly(lock: HeldLock): void {
  lock.release().catch(() => {});
}
