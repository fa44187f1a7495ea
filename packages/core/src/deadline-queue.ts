import { setMaxListeners } from 'node:events';
import type { Deadline } from './call-deadline';
import { RedisTimeoutError } from './errors';

/** A call waiting for its answer: a node of the queue, linked in deadline order. */
class PendingCall<T> implements Deadline {
  expired = false;
  prev: PendingCall<unknown> | undefined = undefined;
  next: PendingCall<unknown> | undefined = undefined;
  readonly expiresAt: number;
  readonly operation: string;
  readonly controller: AbortController | undefined;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;

  constructor(
    expiresAt: number,
    operation: string,
    controller: AbortController | undefined,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ) {
    this.expiresAt = expiresAt;
    this.operation = operation;
    this.controller = controller;
    this.resolve = resolve;
    this.reject = reject;
  }

  get signal(): AbortSignal | undefined {
    return this.controller?.signal;
  }
}

/**
 * The deadlines of every call of one backend, with one timer instead of one per call. Every call
 * has the same timeout, so calls expire in the order they started: they wait in a linked list in
 * that order, a settled call unlinks itself, and one timer, armed for the oldest call's deadline,
 * rejects every call whose deadline passed with RedisTimeoutError and re-arms itself for the next.
 * A call never waits longer than its deadline (plus the timer's lateness, as with a timer of its
 * own) and is never rejected before it.
 *
 * With `abortable`, calls started in the same millisecond have the same deadline and share one
 * AbortSignal, aborted at that deadline, so a client that supports it drops their commands if
 * they were not sent yet; an AbortController per call would cost as much as the rest of the call.
 */
export class DeadlineQueue {
  readonly #timeoutMs: number;
  readonly #abortable: boolean;
  readonly #mapError: (error: unknown, operation: string) => unknown;
  readonly #onLateAnswer: (() => void) | undefined;
  #head: PendingCall<unknown> | undefined;
  #tail: PendingCall<unknown> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #controllerExpiresAt = Number.NaN;
  readonly #expire = (): void => this.#expireDue();

  /**
   * `mapError` turns what a call rejected with into what its caller sees; `onLateAnswer` hears of
   * every call answered after its deadline (before the call's own `onLate`).
   */
  constructor(
    timeoutMs: number,
    abortable: boolean,
    mapError: (error: unknown, operation: string) => unknown,
    onLateAnswer?: () => void,
  ) {
    this.#timeoutMs = timeoutMs;
    this.#abortable = abortable;
    this.#mapError = mapError;
    this.#onLateAnswer = onLateAnswer;
  }

  /**
   * Settles with `work`, or rejects with RedisTimeoutError once the timeout has passed. `onLate`
   * gets the value of a call that resolved after its deadline (nobody waits for it any more).
   */
  run<T>(
    work: (deadline: Deadline) => Promise<T>,
    operation: string,
    onLate?: (value: T) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const expiresAt = Date.now() + this.#timeoutMs;
      const call = new PendingCall<T>(expiresAt, operation, this.#controllerFor(expiresAt), resolve, reject);
      this.#push(call as PendingCall<unknown>);
      let started: Promise<T>;
      try {
        started = work(call);
      } catch (error) {
        this.#unlink(call as PendingCall<unknown>);
        reject(this.#mapError(error, operation));
        return;
      }
      started.then(
        (value) => {
          // After the deadline nobody waits for this: the answer is dropped, or handed to onLate.
          if (this.#unlink(call as PendingCall<unknown>)) resolve(value);
          else {
            this.#onLateAnswer?.();
            onLate?.(value);
          }
        },
        (error: unknown) => {
          if (this.#unlink(call as PendingCall<unknown>)) reject(this.#mapError(error, operation));
        },
      );
    });
  }

  #controllerFor(expiresAt: number): AbortController | undefined {
    if (!this.#abortable) return undefined;
    if (this.#controller === undefined || this.#controllerExpiresAt !== expiresAt) {
      this.#controller = new AbortController();
      // Every command of the millisecond listens to it until its reply.
      setMaxListeners(0, this.#controller.signal);
      this.#controllerExpiresAt = expiresAt;
    }
    return this.#controller;
  }

  #push(call: PendingCall<unknown>): void {
    if (this.#tail === undefined) this.#head = call;
    else {
      this.#tail.next = call;
      call.prev = this.#tail;
    }
    this.#tail = call;
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
  }

  /** False when the call had already expired (and was unlinked then). */
  #unlink(call: PendingCall<unknown>): boolean {
    if (call.expired) return false;
    const { prev, next } = call;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    call.prev = undefined;
    call.next = undefined;
    if (this.#head === undefined) this.#disarm();
    return true;
  }

  #expireDue(): void {
    this.#timer = undefined;
    const now = Date.now();
    let call = this.#head;
    while (call !== undefined && call.expiresAt <= now) {
      const next = call.next;
      this.#unlink(call);
      call.expired = true;
      call.reject(this.#mapError(new RedisTimeoutError(call.operation, this.#timeoutMs), call.operation));
      if (call.controller?.signal.aborted === false) call.controller.abort();
      call = next;
    }
    if (this.#head !== undefined && this.#timer === undefined) this.#arm(this.#head.expiresAt - now);
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(this.#expire, Math.max(1, delayMs));
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
