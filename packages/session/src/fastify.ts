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

  get(sessionId: string): Promise<Session | null>;
  get(sessionId: string, callback: NodeCallback<Session | null>): void;
  get(sessionId: string, callback?: NodeCallback<Session | null>) {
    return callbackOrPromise(this.#engine.get(sessionId), callback);
  }

  set(sessionId: string, session: Session): Promise<void>;
  set(sessionId: string, session: Session, callback: NodeCallback<void>): void;
  set(sessionId: string, session: Session, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.set(sessionId, session), callback);
  }

  touch(sessionId: string, session: Session): Promise<void>;
  touch(sessionId: string, session: Session, callback: NodeCallback<void>): void;
  touch(sessionId: string, session: Session, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.touch(sessionId, session), callback);
  }

  destroy(sessionId: string): Promise<void>;
  destroy(sessionId: string, callback: NodeCallback<void>): void;
  destroy(sessionId: string, callback?: NodeCallback<void>) {
    return callbackOrPromise(this.#engine.destroy(sessionId), callback);
  }

  /** Every session by id (by hashed id with `hashIds`). */
  all(): Promise<Record<string, Session>> {
    return this.#engine.all();
  }

  length(): Promise<number> {
    return this.#engine.length();
  }

  clear(): Promise<void> {
    return this.#engine.clear();
  }

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

  on<K extends keyof SessionStoreEvents & string>(
    event: K,
    listener: (...args: SessionStoreEvents[K]) => void,
  ): this {
    this.#engine.on(event, listener);
    return this;
  }

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
