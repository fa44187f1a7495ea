import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  type Backend,
  bindCounters,
  bindHistogram,
  type CoreEvents,
  countersSnapshot,
  createBackend,
  type EngineCounters,
  type EngineHistogram,
  type FailPolicy,
  IndexedSet,
  parsePositiveDuration,
  RediwareEmitter,
  withFailPolicy,
} from '@rediware/core';
import { LockAbortedError, LockBusyError, type LockLostError, LockTimeoutError } from './errors';
import { extendScript } from './extend-script';
import { HeldLock, type Lock, type LockOperations } from './held-lock';
import { createLockKeys, type LockTarget } from './lock-keys';
import { type LockMetrics, lockMetricSpecs, lockWaitSpec } from './lock-metrics';
import { LockOps } from './lock-ops';
import { LockTimers } from './lock-timers';
import {
  type AcquireConfig,
  type AcquireOptions,
  type LockerConfig,
  type LockerOptions,
  parseAcquireOptions,
  parseOptions,
} from './options';
import { ownerWithPermits } from './permits';
import { type ReleaseWaiter, ReleaseWatcher } from './release-watcher';
import { retryDelay } from './retry-delay';

/** Emitted when a held lock is lost; its signal aborts at the same moment. */
export interface LockLostEvent {
  /** The key locked (the first one of a multi-key lock). */
  key: string;
  /** Every key of the lock. */
  keys: readonly string[];
  /** The lost lock's fencing token. */
  fencingToken: number;
  /** Why it was lost; also the reason its signal aborted with. */
  error: LockLostError;
}

/** The events of a locker: the core ones, plus `lost`. */
export interface LockerEvents extends CoreEvents {
  /** A held lock was lost before its release. */
  lost: [LockLostEvent];
}

/** Creates a locker: distributed locks with fencing tokens on one Redis (or in memory). */
export function createLocker(options: LockerOptions = {}): Locker {
  return new Locker(parseOptions(options));
}

/**
 * Locks on Redis. Every operation is one script (acquire, extend, release; the acquires and
 * releases of one event-loop turn share one script call); waiters are woken
 * by a release message on the key's channel, with a fallback retry, never by tight polling.
 * Fails closed: a Redis failure rejects the acquisition (and emits `failure`).
 */
export class Locker extends RediwareEmitter<LockerEvents> {
  readonly #config: LockerConfig;
  readonly #backend: Backend;
  readonly #ops: LockOps;
  readonly #target: (key: string | readonly string[]) => LockTarget;
  readonly #watcher: ReleaseWatcher;
  /** Until their release is answered; an IndexedSet, not a Set (core's indexed-set.ts says why). */
  readonly #held = new IndexedSet<HeldLock>();
  /** Expiry and auto-extension of every held lock, on one Node timer. */
  readonly #timers = new LockTimers<HeldLock>((lock, now) => lock.due(now));
  /** Aborted by close(); every waiting acquire listens to it, so it has no listener limit. */
  readonly #closing = unlimitedController();
  readonly #metrics: EngineCounters<keyof typeof lockMetricSpecs>;
  readonly #waitSeconds: EngineHistogram;
  /** Built once: extend and release run for every lock. */
  readonly #failClosed = {
    extend: this.#failClosedAs('lock extend'),
    release: this.#failClosedAs('lock release'),
  };
  /** The Redis side of every HeldLock of this locker: one object, no closures per lock. */
  readonly #lockOperations: LockOperations = {
    extend: async (target, owner, ttlMs) =>
      (await withFailPolicy(
        this.#backend.run(extendScript, target.holders, [owner, ttlMs]),
        this.#failClosed.extend,
      )) === 1,
    release: (target, owner) => this.#release(target, owner),
    parseTtl: (ttl) => parsePositiveDuration(ttl, 'ttl'),
    lost: (lost, error) => {
      this.#metrics.lost.add();
      this.emit('lost', { key: lost.key, keys: lost.keys, fencingToken: lost.fencingToken, error });
    },
    settled: (settled) => this.#held.delete(settled),
  };

  constructor(config: LockerConfig) {
    super();
    this.#config = config;
    this.#backend = createBackend({
      redis: config.redis,
      timeout: config.timeoutMs,
      packageName: '@rediware/lock',
      holdsState: 'held locks',
      onConnectionError: (error) => this.emit('connectionError', error),
    });
    this.#ops = new LockOps(this.#backend);
    this.#target = createLockKeys(config.prefix);
    this.#watcher = new ReleaseWatcher(this.#backend, (event) => this.emit('failure', event));
    this.#metrics = bindCounters(lockMetricSpecs, config.metrics);
    this.#waitSeconds = bindHistogram(lockWaitSpec, config.metrics);
  }

  /** Totals of the locker's counters since it was created (the same ones the `metrics` sink gets). */
  metrics(): LockMetrics {
    const { count, sum } = this.#waitSeconds;
    return { ...countersSnapshot(this.#metrics), wait: { count, sumSeconds: sum } };
  }

  /**
   * Takes the lock on `key` (or on every key of an array, all or none). Rejects with
   * LockBusyError (`wait: 0`), LockTimeoutError (waited `wait`), LockAbortedError (signal), or a
   * RedisError when Redis cannot be reached.
   */
  async acquire(key: string | readonly string[], options: AcquireOptions): Promise<Lock> {
    const config = parseAcquireOptions(options);
    const target = this.#target(key);
    const aborted = config.signal?.aborted ? config.signal : this.#closing.signal;
    if (aborted.aborted) throw new LockAbortedError(target.keys, aborted.reason);
    const owner = ownerWithPermits(randomUUID(), config.permits);
    const started = Date.now();
    const first = await this.#attempt(target, owner, config);
    if (first instanceof HeldLock) return this.#taken(first, started);
    if (config.waitMs === 0) {
      this.#metrics.busy.add();
      throw new LockBusyError(target.keys, first);
    }
    this.#metrics.waited.add();
    const waiter = await this.#watcher.watch(target.channels);
    try {
      const cancel = this.#cancelSignal(config);
      return this.#taken(await this.#waitForTurn(target, owner, config, cancel, waiter, started), started);
    } catch (error) {
      if (error instanceof LockTimeoutError) this.#metrics.timeouts.add();
      throw error;
    } finally {
      waiter.close();
    }
  }

  /**
   * Runs `fn` holding the lock and releases it afterwards, whatever happens. Rejects with
   * LockLostError when the lock was lost before `fn` settled, even if `fn` resolved: it did not
   * run under exclusion the whole time. Stop early with `lock.signal`.
   */
  async withLock<T>(
    key: string | readonly string[],
    options: AcquireOptions,
    fn: (lock: Lock) => T | Promise<T>,
  ): Promise<T> {
    const lock = await this.acquire(key, options);
    let result: T;
    try {
      result = await fn(lock);
    } finally {
      // A failed release was reported as a `failure` event; the lock expires at its ttl.
      await lock.release().catch(() => false);
    }
    if (lock.signal.aborted) throw lock.signal.reason;
    return result;
  }

  /** Cancels waits, releases the locks this locker holds, and closes the connections it opened. */
  async close(): Promise<void> {
    this.#closing.abort(new Error('The locker was closed.'));
    await Promise.allSettled(this.#held.values().map((lock) => lock.release()));
    this.#timers.close();
    await this.#watcher.close();
    await this.#backend.close();
  }

  #taken(lock: Lock, started: number): Lock {
    this.#metrics.acquired.add();
    this.#waitSeconds.record((Date.now() - started) / 1000);
    return lock;
  }

  async #waitForTurn(
    target: LockTarget,
    owner: string,
    config: AcquireConfig,
    cancel: AbortSignal,
    waiter: ReleaseWaiter,
    started: number,
  ): Promise<Lock> {
    const deadline = started + config.waitMs;
    // Subscribed now: try again, since a release before the subscription sent nothing we saw.
    let retryAfterMs = 0;
    for (;;) {
      const attempt = await this.#attempt(target, owner, config);
      if (attempt instanceof HeldLock) return attempt;
      retryAfterMs = attempt;
      const left = deadline - Date.now();
      if (left <= 0) throw new LockTimeoutError(target.keys, Date.now() - started, retryAfterMs);
      try {
        await waiter.next(Math.min(left, retryDelay(retryAfterMs, this.#config.retryIntervalMs)), cancel);
      } catch (reason) {
        throw new LockAbortedError(target.keys, reason);
      }
    }
  }

  /** One acquire script: a HeldLock when taken, else the ms until the holder's slot frees. */
  async #attempt(target: LockTarget, owner: string, config: AcquireConfig): Promise<HeldLock | number> {
    const sentAt = Date.now();
    const [taken, value] = await withFailPolicy(
      this.#ops.acquire(target.redisKeys, owner, config.ttlMs, config.limit),
      // A timed-out acquire may still run in Redis later: take back whatever it took. That release
      // belongs to the failure just reported, so its own failure is neither counted nor emitted.
      this.#failClosedAs('lock acquire', () => void this.#ops.release(target.holders, owner).catch(() => {})),
    );
    if (taken === 0) return value;
    const lock = new HeldLock({
      target,
      owner,
      fencingToken: value,
      ttlMs: config.ttlMs,
      sentAt,
      autoExtend: config.autoExtend,
      extendRatio: config.extendRatio ?? this.#config.extendRatio,
      operations: this.#lockOperations,
      timers: this.#timers,
    });
    this.#held.add(lock);
    return lock;
  }

  async #release(target: LockTarget, owner: string): Promise<boolean> {
    const held = await withFailPolicy(this.#ops.release(target.holders, owner), this.#failClosed.release);
    return held === target.keys.length;
  }

  /**
   * Locks fail closed (no fallback, hence `never`): a Redis failure is counted (`errors`), emits
   * `failure` after `onRedisFailure` and is passed on.
   */
  #failClosedAs(operation: string, onRedisFailure?: () => void): FailPolicy<never> {
    return {
      operation,
      failOpen: false,
      onFailure: (event) => {
        this.#metrics.errors.add();
        onRedisFailure?.();
        this.emit('failure', event);
      },
    };
  }

  /** Made only for an acquire that waits: AbortSignal.any costs more than the first attempt. */
  #cancelSignal(config: AcquireConfig): AbortSignal {
    return config.signal ? AbortSignal.any([config.signal, this.#closing.signal]) : this.#closing.signal;
  }
}

function unlimitedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
