/**
 * `RedisStore`, an express-session `Store`.
 *
 * @module @rediware/session/express
 */
import { type SessionData, Store } from 'express-session';
import { callbackOrPromise, type NodeCallback } from './callback-or-promise';
import type { SessionStoreOptions } from './options';
import type { SessionMetrics } from './session-metrics';
import { SessionStore } from './session-store';

/** Options of the express-session `RedisStore` (see `SessionStoreOptions`). */
export type RedisStoreOptions = SessionStoreOptions<SessionData>;

/**
 * An express-session store on Redis (or memory). Every method takes express-session's callback,
 * called exactly once, or returns a promise without one. The store re-emits the engine's events
 * (`failure`, `corrupt`, `writeAfterDestroy`, `connectionError`); it never emits `error`.
 */
export class RedisStore extends Store {
  readonly #engine: SessionStore<SessionData>;

  constructor(options: RedisStoreOptions = {}) {
    super();
    this.#engine = new SessionStore<SessionData>(options);
    this.#engine.on('failure', (event) => this.emit('failure', event));
    this.#engine.on('corrupt', (event) => this.emit('corrupt', event));
    this.#engine.on('writeAfterDestroy', (event) => this.emit('writeAfterDestroy', event));
    this.#engine.on('connectionError', (error) => this.emit('connectionError', error));
  }

  /** The stored session, or null when there is none (or it cannot be read: see `corrupt`). */
  override get(sid: string): Promise<SessionData | null>;
  override get(sid: string, callback: NodeCallback<SessionData | null>): void;
  override get(sid: string, callback?: NodeCallback<SessionData | null>) {
    return callbackOrPromise(this.#engine.get(sid), callback);
  }

  /** Stores a session; its lifetime comes from its cookie, else from `ttl`. */
  override set(sid: string, session: SessionData): Promise<void>;
  override set(sid: string, session: SessionData, callback: NodeCallback<void>): void;
  override set(sid: string, session: SessionData, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.set(sid, session), callback);
  }

  /** Moves a stored session's expiry (and its cookie's `expires`); never creates one. */
  override touch(sid: string, session: SessionData): Promise<void>;
  override touch(sid: string, session: SessionData, callback: NodeCallback<void>): void;
  override touch(sid: string, session: SessionData, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.touch(sid, session), callback);
  }

  /** Deletes a session; writes for its id are refused for `tombstoneTtl` afterwards. */
  override destroy(sid: string): Promise<void>;
  override destroy(sid: string, callback: NodeCallback<void>): void;
  override destroy(sid: string, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.destroy(sid), callback);
  }

  /** Every session by id (by hashed id with `hashIds`). */
  override all(): Promise<Record<string, SessionData>>;
  override all(callback: NodeCallback<Record<string, SessionData>>): void;
  override all(callback?: NodeCallback<Record<string, SessionData>>) {
    return callbackOrPromise(this.#engine.all(), callback);
  }

  /** The number of stored sessions. */
  override length(): Promise<number>;
  override length(callback: NodeCallback<number>): void;
  override length(callback?: NodeCallback<number>) {
    return callbackOrPromise(this.#engine.length(), callback);
  }

  /** Deletes every session and every user index of this prefix. */
  override clear(): Promise<void>;
  override clear(callback: NodeCallback<void>): void;
  override clear(callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.clear(), callback);
  }

  /** The storage ids of every stored session (the ids themselves unless `hashIds`). */
  ids(): Promise<string[]>;
  /** The storage ids of every stored session, to a callback. */
  ids(callback: NodeCallback<string[]>): void;
  ids(callback?: NodeCallback<string[]>) {
    return callbackOrPromise(this.#engine.ids(), callback);
  }

  /** Totals of the store's counters (reads, writes, touches skipped, corrupt, errors). */
  metrics(): SessionMetrics {
    return this.#engine.metrics();
  }

  /** The ids of the user's live sessions. Needs the `userId` option. */
  listUserSessions(userId: string): Promise<string[]> {
    return this.#engine.listUserSessions(userId);
  }

  /** Destroys every session of the user (log out everywhere); resolves with how many. */
  destroyUserSessions(userId: string): Promise<number> {
    return this.#engine.destroyUserSessions(userId);
  }

  /** Releases what the store opened itself; the Redis client stays yours to close. */
  close(): Promise<void> {
    return this.#engine.close();
  }
}
