/**
 * `RedisStore` for @fastify/session; it never loads express-session.
 *
 * @module @rediware/session/fastify
 */
import type { SessionStore as FastifySessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { callbackOrPromise, type NodeCallback } from './callback-or-promise';
import type { SessionStoreOptions } from './options';
import type { SessionMetrics } from './session-metrics';
import { SessionStore, type SessionStoreEvents } from './session-store';

/** Options of the @fastify/session `RedisStore` (see `SessionStoreOptions`). */
export type RedisStoreOptions = SessionStoreOptions<Session>;

/**
 * A @fastify/session store on Redis (or memory), without express-session. Every method takes a
 * callback, called exactly once, or returns a promise without one. Events: `store.on(...)`.
 */
export class RedisStore implements FastifySessionStore {
  readonly #engine: SessionStore<Session>;

  constructor(options: RedisStoreOptions = {}) {
    this.#engine = new SessionStore<Session>(options);
  }

  /** The stored session, or null when there is none (or it cannot be read: see `corrupt`). */
  get(sessionId: string): Promise<Session | null>;
  /** The stored session, or null, to a callback. */
  get(sessionId: string, callback: NodeCallback<Session | null>): void;
  get(sessionId: string, callback?: NodeCallback<Session | null>) {
    return callbackOrPromise(this.#engine.get(sessionId), callback);
  }

  /** Stores a session; its lifetime comes from its cookie, else from `ttl`. */
  set(sessionId: string, session: Session): Promise<void>;
  /** Stores a session, then calls `callback`. */
  set(sessionId: string, session: Session, callback: NodeCallback<void>): void;
  set(sessionId: string, session: Session, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.set(sessionId, session), callback);
  }

  /** Moves a stored session's expiry (and its cookie's `expires`); never creates one. */
  touch(sessionId: string, session: Session): Promise<void>;
  /** Moves a stored session's expiry, then calls `callback`. */
  touch(sessionId: string, session: Session, callback: NodeCallback<void>): void;
  touch(sessionId: string, session: Session, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.touch(sessionId, session), callback);
  }

  /** Deletes a session; writes for its id are refused for `tombstoneTtl` afterwards. */
  destroy(sessionId: string): Promise<void>;
  /** Deletes a session, then calls `callback`. */
  destroy(sessionId: string, callback: NodeCallback<void>): void;
  destroy(sessionId: string, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.destroy(sessionId), callback);
  }

  /** Every session by id (by hashed id with `hashIds`). */
  all(): Promise<Record<string, Session>> {
    return this.#engine.all();
  }

  /** The number of stored sessions. */
  length(): Promise<number> {
    return this.#engine.length();
  }

  /** Deletes every session and every user index of this prefix. */
  clear(): Promise<void> {
    return this.#engine.clear();
  }

  /** The storage ids of every stored session (the ids themselves unless `hashIds`). */
  ids(): Promise<string[]> {
    return this.#engine.ids();
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

  /** Adds `listener` for `event` (`failure`, `corrupt`, `writeAfterDestroy`, `connectionError`). */
  on<K extends keyof SessionStoreEvents & string>(
    event: K,
    listener: (...args: SessionStoreEvents[K]) => void,
  ): this {
    this.#engine.on(event, listener);
    return this;
  }

  /** Removes `listener` from `event`. */
  off<K extends keyof SessionStoreEvents & string>(
    event: K,
    listener: (...args: SessionStoreEvents[K]) => void,
  ): this {
    this.#engine.off(event, listener);
    return this;
  }

  /** Releases what the store opened itself; the Redis client stays yours to close. */
  close(): Promise<void> {
    return this.#engine.close();
  }
}
