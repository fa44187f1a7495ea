import type { Indexed } from '@rediware/core';
import { LockLostError } from './errors';
import type { LockTarget } from './lock-keys';
import type { LockTimers, Timed } from './lock-timers';

/** A held lock. */
export interface Lock {
  /** The key locked (the first one of a multi-key lock). */
  readonly key: string;
  /** Every key locked, in the order given. */
  readonly keys: readonly string[];
  /**
   * Strictly increasing per key across every holder, kept in Redis: hand it to the resource
   * you protect and have it refuse writes that carry a token lower than one it has seen. Never
   * repeats or goes back, even after Redis lost its data: a counter starts at Redis's clock in
   * microseconds (about 1.8e15, an exact integer below 2^53; store it in a 64-bit column).
   */
  readonly fencingToken: number;
  /**
   * Aborted, with a LockLostError as its reason, when the lock is lost; in a guard also with a
   * ClientGoneError when the client disconnects (the lock is still held then). Never on release.
   */
  readonly signal: AbortSignal;
  /** Milliseconds until the lock expires unless extended, as this process knows it. */
  readonly remainingMs: number;
  /** Resets the ttl (to the acquisition's ttl by default). Rejects with LockLostError when not held. */
  extend(ttl?: number | string): Promise<void>;
  /** Releases the lock: true when it was still held. Later calls return the first call's answer. */
  release(): Promise<boolean>;
}

/**
 * What a HeldLock needs from its locker: the Redis side of extend and release, and reporting. One
 * object per locker, shared by its locks (no closures per lock).
 */
export interface LockOperations {
  /** Runs the extend script; resolves true when extended, false when no longer held. */
  extend(target: LockTarget, owner: string, ttlMs: number): Promise<boolean>;
  release(target: LockTarget, owner: string): Promise<boolean>;
  parseTtl(ttl: number | string): number;
  /** Reports a lost lock (the `lost` event). */
  lost(lock: Lock, error: LockLostError): void;
  /** Called once the lock is released or lost, so the locker stops tracking it. */
  settled(lock: HeldLock): void;
}

export interface HeldLockInit {
  target: LockTarget;
  /** The random id that marks this holder in Redis. */
  owner: string;
  fencingToken: number;
  ttlMs: number;
  /** When the acquire script was sent: the lock is valid for ttl from there, not from the reply. */
  sentAt: number;
  autoExtend: boolean;
  extendRatio: number;
  operations: LockOperations;
  /** The locker's one timer for all its locks. */
  timers: LockTimers<HeldLock>;
}

/**
 * Clocks of app servers and Redis drift apart a little: the lock is treated as lost this much
 * before its ttl runs out (Redlock's allowance: 1% of the ttl plus 2 ms).
 */
function driftMs(ttlMs: number): number {
  return Math.floor(ttlMs * 0.01) + 2;
}

/**
 * A lock this process holds. Two due times drive it, on the locker's timers: auto-extension every
 * `extendRatio` of the ttl, and the validity deadline, which aborts the signal when no extension
 * confirmed the lock in time (Redis down, or auto-extension off). Every path catches its errors:
 * nothing here can become an unhandled rejection.
 */
export class HeldLock implements Lock, Timed, Indexed {
  readonly key: string;
  readonly keys: readonly string[];
  readonly fencingToken: number;
  /** Made when `signal` is first read (most locks are released without anyone reading it). */
  #controller: AbortController | undefined;
  #lostWith: LockLostError | undefined;
  /** What the signal aborts (or aborted) with: the first of a loss and `abandon`. */
  #abortReason: Error | undefined;
  /** False once the holder's client went away (`abandon`): the lock then ends at its ttl. */
  #extending: boolean;
  #onLost: ((error: LockLostError) => void) | undefined;
  readonly #init: HeldLockInit;
  #validUntil: number;
  /** When the next auto-extension starts; never when auto-extension is off or one is running. */
  #extendAt = Number.POSITIVE_INFINITY;
  #released: Promise<boolean> | undefined;
  /** LockTimers' bookkeeping: the earlier of the two due times, and the place in its heap. */
  dueAt = 0;
  timerIndex = -1;
  /** The place in the locker's set of held locks. */
  setIndex = -1;

  constructor(init: HeldLockInit) {
    this.#init = init;
    this.keys = init.target.keys;
    this.key = this.keys[0] as string;
    this.fencingToken = init.fencingToken;
    this.#extending = init.autoExtend;
    this.#validUntil = init.sentAt + init.ttlMs - driftMs(init.ttlMs);
    if (init.autoExtend) this.#extendAt = Date.now() + Math.max(1, init.ttlMs * init.extendRatio);
    this.#reschedule();
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /**
   * For the guards, when the request's client went away while its handler runs: aborts `signal`
   * with `reason` and stops auto-extension, so the lock stays held until the handler finishes
   * (the guard releases it) or, for a handler that never does, until its ttl runs out.
   */
  abandon(reason: Error): void {
    if (!this.#active) return;
    this.#abort(reason);
    this.#extending = false;
    this.#extendAt = Number.POSITIVE_INFINITY;
    this.#reschedule();
  }

  /** For the guards: called once if the lock is lost (like `signal`'s abort, without the signal). */
  onLost(listener: (error: LockLostError) => void): void {
    this.#onLost = listener;
  }

  get remainingMs(): number {
    return this.#active ? Math.max(0, this.#validUntil - Date.now()) : 0;
  }

  get #active(): boolean {
    return this.#released === undefined && this.#lostWith === undefined;
  }

  async extend(ttl?: number | string): Promise<void> {
    if (this.#released !== undefined) throw this.#lostError('it was released');
    if (this.#lostWith !== undefined) throw this.#lostWith;
    const ttlMs = ttl === undefined ? this.#init.ttlMs : this.#init.operations.parseTtl(ttl);
    const sentAt = Date.now();
    const { operations, target, owner } = this.#init;
    const extended = await operations.extend(target, owner, ttlMs);
    if (!extended) {
      const error = this.#lostError('it expired or is held by someone else');
      this.#lose(error);
      throw error;
    }
    if (!this.#active) return;
    this.#validUntil = sentAt + ttlMs - driftMs(ttlMs);
    this.#reschedule();
  }

  release(): Promise<boolean> {
    if (this.#released) return this.#released;
    this.#init.timers.cancel(this);
    const { operations, target, owner } = this.#init;
    this.#released =
      this.#lostWith !== undefined
        ? Promise.resolve(false)
        : operations.release(target, owner).finally(() => operations.settled(this));
    return this.#released;
  }

  /** Called by the locker's timers when `dueAt` has come: the lock expired, or is to be extended. */
  due(now: number): void {
    if (!this.#active) return;
    if (now >= this.#validUntil) {
      this.#lose(this.#lostError('its ttl ran out before an extension was confirmed'));
      return;
    }
    if (now >= this.#extendAt) {
      this.#extendAt = Number.POSITIVE_INFINITY;
      void this.#autoExtend();
    }
    this.#reschedule();
  }

  async #autoExtend(): Promise<void> {
    const { ttlMs, extendRatio } = this.#init;
    let nextMs = ttlMs * extendRatio;
    try {
      await this.extend();
    } catch {
      // Redis did not answer (reported as a `failure` event): the lock may still be ours until
      // its ttl runs out, so try again sooner.
      nextMs = Math.min(nextMs, this.remainingMs / 2);
    }
    if (!this.#active || !this.#extending) return;
    this.#extendAt = Date.now() + Math.max(1, nextMs);
    this.#reschedule();
  }

  #reschedule(): void {
    this.#init.timers.schedule(this, Math.min(this.#extendAt, this.#validUntil));
  }

  #lose(error: LockLostError): void {
    if (!this.#active) return;
    this.#init.timers.cancel(this);
    this.#lostWith = error;
    this.#abort(error);
    this.#onLost?.(error);
    this.#init.operations.settled(this);
    this.#init.operations.lost(this, error);
  }

  #abort(reason: Error): void {
    this.#abortReason ??= reason;
    this.#controller?.abort(reason);
  }

  #lostError(detail: string): LockLostError {
    return new LockLostError(this.keys, this.fencingToken, detail);
  }
}
