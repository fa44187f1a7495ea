import { EventEmitter } from 'node:events';
import type { RediwareError } from './errors';

/** Emitted on every failure to reach Redis, whatever the fail policy did about it. */
export interface FailureEvent {
  /** What was being done: a script name or `publish`, `subscribe`, `scan`. */
  operation: string;
  /** The failure: a RedisError subclass (unavailable, timeout, refused, ...). */
  error: RediwareError;
  /** True when the caller went on without Redis (fail open); false when the error was passed on. */
  failedOpen: boolean;
}

/** Events every rediware engine emits. Packages extend this map with their own events. */
export interface CoreEvents {
  /** A call to Redis failed; emitted whatever the fail policy did about it. */
  failure: [FailureEvent];
  /** A background error of a connection rediware opened itself (the pub/sub subscriber). */
  connectionError: [Error];
}

type EventMap<T> = { [K in keyof T]: unknown[] };

/**
 * A typed EventEmitter. The failure event is not called 'error' on purpose: an 'error' event
 * without a listener would throw and crash the process, and failures must never do that.
 */
export class RediwareEmitter<Events extends EventMap<Events>> {
  readonly #emitter = new EventEmitter();

  /** Adds `listener` for `event`. */
  on<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Adds `listener` for the next `event` only. */
  once<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes `listener` from `event`. */
  off<K extends keyof Events & string>(event: K, listener: (...args: Events[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Calls every listener; a listener that throws becomes a process warning, never the caller's error. */
  emit<K extends keyof Events & string>(event: K, ...args: Events[K]): boolean {
    try {
      return this.#emitter.emit(event, ...args);
    } catch (error) {
      process.emitWarning(error instanceof Error ? error : String(error), 'RediwareListenerWarning');
      return true;
    }
  }

  /** The number of listeners of `event`. */
  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }
}
