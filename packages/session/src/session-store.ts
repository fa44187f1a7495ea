import { createHash } from 'node:crypto';
import {
  type Backend,
  bindCounters,
  type CoreEvents,
  countersSnapshot,
  createBackend,
  type EngineCounters,
  RediwareEmitter,
  RediwareError,
  type Script,
  type ScriptArg,
  withFailPolicy,
} from '@rediware/core';
import { cookieExpiresField } from './cookie-expiry';
import { deleteKeyScript } from './delete-key-script';
import { destroySessionScript } from './destroy-script';
import { getSessionFields, getSessionScript } from './get-script';
import { indexAddScript } from './index-add-script';
import { indexListScript } from './index-list-script';
import { indexRemoveScript } from './index-remove-script';
import { parseOptions, type SessionStoreConfig, type SessionStoreOptions } from './options';
import { sessionOwnerScript } from './owner-script';
import { RecentlySeen } from './recently-seen';
import { SaveStatus, saveSessionScript } from './save-script';
import { SessionCodec } from './session-codec';
import { sessionLifetime } from './session-lifetime';
import { type SessionMetrics, sessionMetricSpecs } from './session-metrics';
import { CorruptSessionError } from './session-shape';
import { isWrongTypeError } from './wrong-type';

/**
 * A stored record could not be decrypted or parsed, is no session both frameworks can load, or
 * its key holds another Redis type: it was treated as no session.
 */
export interface CorruptSessionEvent {
  /** The session's storage id (the SHA-256 of the id with `hashIds`). */
  id: string;
  /** Why it could not be read. */
  error: unknown;
}

/** A save or touch arrived after its session was destroyed and was refused. */
export interface WriteAfterDestroyEvent {
  /** The session's storage id (the SHA-256 of the id with `hashIds`). */
  id: string;
  /** The refused write. */
  operation: 'set' | 'touch';
}

/** The events of a session store: the core ones, plus `corrupt` and `writeAfterDestroy`. */
export interface SessionStoreEvents extends CoreEvents {
  /** A stored record could not be read; it was treated as no session. */
  corrupt: [CorruptSessionEvent];
  /** A save or touch arrived after its session was destroyed and was refused. */
  writeAfterDestroy: [WriteAfterDestroyEvent];
}

/** Sessions this process remembers for `touchAfter` at most. */
const recentlySeenMax = 10_000;
/** A skipped write lets the stored expiry lag by at most this share of the session's lifetime. */
const maxLagShare = 0.1;
/** Sessions `all()` reads at once, so a large store does not flood the connection. */
const loadBatch = 200;
/** Index members removed per script call (Lua's unpack has a stack limit). */
const removeChunk = 500;
/** With `disableTTL`, the index entry of a session without a cookie expiry: kept until it is destroyed. */
const foreverMs = 100 * 365 * 86_400_000;

/** The framework-neutral session store both `RedisStore`s delegate to. */
export class SessionStore<
  S extends object = Record<string, unknown>,
> extends RediwareEmitter<SessionStoreEvents> {
  readonly #config: SessionStoreConfig<S>;
  readonly #backend: Backend;
  readonly #codec: SessionCodec;
  readonly #seen = new RecentlySeen(recentlySeenMax);
  readonly #metrics: EngineCounters<keyof typeof sessionMetricSpecs>;

  constructor(options: SessionStoreOptions<S> = {}) {
    super();
    this.#config = parseOptions<S>(options);
    this.#backend = createBackend({
      redis: this.#config.redis,
      timeout: this.#config.timeout,
      packageName: '@rediware/session',
      holdsState: 'sessions',
      onConnectionError: (error) => this.emit('connectionError', error),
    });
    // Fingerprints only tell `touchAfter` whether a session changed: none to compute without it.
    this.#codec = new SessionCodec(
      this.#config.serializer,
      this.#config.encryptionKeys,
      this.#config.touchAfterMs > 0,
    );
    this.#metrics = bindCounters(sessionMetricSpecs, this.#config.metrics);
  }

  /** Totals of the store's counters since it was created (the same ones the `metrics` sink gets). */
  metrics(): SessionMetrics {
    return countersSnapshot(this.#metrics);
  }

  /**
   * The stored session, or null when there is none (or it cannot be read: see `corrupt`). An
   * empty id names no session: it comes from a cookie (@fastify/session hands over a signed
   * empty one), so it is no session rather than an error.
   */
  async get(id: string): Promise<S | null> {
    this.#metrics.reads.add();
    if (id === '') return null;
    return this.#load(this.#storageId(id));
  }

  /** Stores a session; its lifetime comes from its cookie, else from `ttl`. */
  async set(id: string, session: S): Promise<void> {
    const sid = this.#storageId(id);
    const now = Date.now();
    const ttl = this.#ttlOf(session, now);
    const encoded = this.#codec.encode(session, sid);
    const { payload, digest } = encoded instanceof Promise ? await encoded : encoded;
    const seen = this.#seen.recall(sid);
    if (seen?.digest === digest && this.#movesTooLittle(seen.expiresAt, now, ttl)) {
      this.#metrics.touchesSkipped.add();
      return;
    }
    this.#metrics.writes.add();
    const user = this.#userOf(session);
    if (await this.#save(sid, 'set', session, ttl, user, payload)) {
      this.#remember(sid, now + ttl, digest);
    }
  }

  /**
   * Moves a stored session's expiry (and its cookie's `expires`); never creates one. With
   * `disableTouch`, writes nothing.
   */
  async touch(id: string, session: S): Promise<void> {
    const sid = this.#storageId(id);
    if (this.#config.disableTouch) return;
    const now = Date.now();
    const ttl = this.#ttlOf(session, now);
    const seen = this.#seen.recall(sid);
    if (seen !== undefined && this.#movesTooLittle(seen.expiresAt, now, ttl)) {
      this.#metrics.touchesSkipped.add();
      return;
    }
    this.#metrics.writes.add();
    if (await this.#save(sid, 'touch', session, ttl, this.#userOf(session), '')) {
      this.#remember(sid, now + ttl, seen?.digest ?? '');
    }
  }

  /** Deletes a session; writes for its id are refused for `tombstoneTtl` afterwards. */
  async destroy(id: string): Promise<void> {
    const sid = this.#storageId(id);
    this.#seen.forget(sid);
    const [, user] = await this.#run(destroySessionScript, this.#sessionKeys(sid), [
      this.#config.tombstoneTtlMs,
      '',
    ]);
    if (this.#config.userId !== undefined && user !== '') await this.#unindex(user, [sid]);
  }

  /** The storage ids of every stored session (the ids themselves unless `hashIds`). */
  ids(): Promise<string[]> {
    return this.#policy('scan', this.#scanIds());
  }

  async #scanIds(): Promise<string[]> {
    const ids = new Set<string>();
    for await (const batch of this.#backend.scan(
      this.#config.sessions.pattern('data'),
      this.#config.scanCount,
    )) {
      for (const key of batch) {
        const tag = this.#config.sessions.tagOf(key);
        if (tag !== undefined) ids.add(tag);
      }
    }
    return [...ids];
  }

  /** Every readable session by storage id. */
  async all(): Promise<Record<string, S>> {
    const sessions: Record<string, S> = {};
    const ids = await this.ids();
    for (let i = 0; i < ids.length; i += loadBatch) {
      const batch = ids.slice(i, i + loadBatch);
      const loaded = await Promise.all(batch.map((sid) => this.#load(sid)));
      batch.forEach((sid, j) => {
        const session = loaded[j];
        if (session !== null && session !== undefined) sessions[sid] = session;
      });
    }
    return sessions;
  }

  /** The number of stored sessions. */
  async length(): Promise<number> {
    return (await this.ids()).length;
  }

  /**
   * Deletes every session, tombstone and user index of this prefix, one key per command: a
   * cleared store refuses no id.
   */
  async clear(): Promise<void> {
    this.#seen.clear();
    await this.#policy('scan', this.#deleteAll());
  }

  async #deleteAll(): Promise<void> {
    const { sessions, users } = this.#config;
    for (const pattern of [
      sessions.pattern('data'),
      sessions.pattern('destroyed'),
      users.pattern('sessions'),
    ]) {
      for await (const batch of this.#backend.scan(pattern, this.#config.scanCount)) {
        await Promise.all(batch.map((key) => this.#backend.run(deleteKeyScript, [key], [])));
      }
    }
  }

  /** The storage ids of the user's live sessions. Needs the `userId` option. */
  async listUserSessions(userId: string): Promise<string[]> {
    const indexKey = this.#indexKey(userId);
    const members = await this.#run(indexListScript, [indexKey], []);
    // The index is a list of candidates: each is confirmed in its own slot, so a session that
    // was destroyed, expired or changed hands while its index entry lagged is never reported.
    const owners = await Promise.all(
      members.map((sid) => this.#run(sessionOwnerScript, [this.#config.sessions.key(sid, 'data')], [])),
    );
    const live = members.filter((_, i) => owners[i] === userId);
    const stale = members.filter((_, i) => owners[i] !== userId);
    if (stale.length > 0) await this.#unindex(userId, stale);
    return live;
  }

  /** Destroys every session of the user (log out everywhere); returns how many there were. */
  async destroyUserSessions(userId: string): Promise<number> {
    const members = await this.#run(indexListScript, [this.#indexKey(userId)], []);
    const results = await Promise.all(
      members.map((sid) => {
        this.#seen.forget(sid);
        return this.#run(destroySessionScript, this.#sessionKeys(sid), [this.#config.tombstoneTtlMs, userId]);
      }),
    );
    if (members.length > 0) await this.#unindex(userId, members);
    return results.filter(([deleted]) => deleted === 1).length;
  }

  /** Releases what the store opened itself; the Redis client stays the caller's to close. */
  async close(): Promise<void> {
    this.#seen.clear();
    await this.#backend.close();
  }

  async #load(sid: string): Promise<S | null> {
    const now = Date.now();
    const reply = await this.#policy(
      getSessionScript.name,
      this.#backend
        .run(getSessionScript, [this.#config.sessions.key(sid, 'data')], getSessionFields)
        .catch(wrongTypeAsCorrupt),
    );
    try {
      if (reply instanceof CorruptSessionError) throw reply;
      const [payload, expiresField, deadline] = reply;
      if (payload === null) {
        this.#seen.forget(sid);
        return null;
      }
      const expires = expiresField ? Number(expiresField) : undefined;
      // Without a key expiry nothing else ends a session whose cookie has expired.
      if (this.#config.disableTTL && expires !== undefined && expires <= now) {
        this.#seen.forget(sid);
        return null;
      }
      const decoded = this.#codec.decode(payload, sid, expires, now);
      const { session, digest } = decoded instanceof Promise ? await decoded : decoded;
      // A record from before `deadline` existed: not remembered, so its next touch writes one.
      const expiresAt = expires ?? (deadline ? Number(deadline) : Number.NaN);
      if (Number.isFinite(expiresAt)) this.#remember(sid, expiresAt, digest);
      else this.#seen.forget(sid);
      return session as S;
    } catch (error) {
      this.#seen.forget(sid);
      this.#metrics.corrupt.add();
      this.emit('corrupt', { id: sid, error });
      return null;
    }
  }

  /**
   * The session write runs in the session's slot and the index update in the user's, side by
   * side (never one command across two slots). An index entry written for a save that was then
   * refused is removed again; one left behind by a crash is dropped by `listUserSessions`.
   * Resolves with whether the session was written.
   */
  async #save(
    sid: string,
    mode: 'set' | 'touch',
    session: S,
    ttl: number,
    user: string,
    payload: string,
  ): Promise<boolean> {
    const indexed = this.#config.userId !== undefined && user !== '' && ttl > 0;
    const expires = cookieExpiresField(session);
    const persist = this.#config.disableTTL;
    // With disableTTL, a session is indexed until its cookie expires, or forever without one.
    const indexTtl = persist && expires === undefined ? foreverMs : ttl;
    const [[status, previous]] = await Promise.all([
      this.#run(saveSessionScript, this.#sessionKeys(sid), [
        mode,
        ttl,
        String(expires ?? ''),
        payload,
        user,
        persist ? '' : Date.now() + ttl,
        persist ? '1' : '',
      ]),
      indexed ? this.#run(indexAddScript, [this.#indexKey(user)], [sid, indexTtl]) : undefined,
    ]);
    if (status === SaveStatus.destroyed) this.emit('writeAfterDestroy', { id: sid, operation: mode });
    const written = status === SaveStatus.written;
    if (!written) this.#seen.forget(sid);
    if (this.#config.userId === undefined) return written;
    const unindex: Array<Promise<void>> = [];
    if (indexed && !written) unindex.push(this.#unindex(user, [sid]));
    if (previous !== '' && (previous !== user || status === SaveStatus.deleted)) {
      unindex.push(this.#unindex(previous, [sid]));
    }
    await Promise.all(unindex);
    return written;
  }

  async #unindex(user: string, sids: readonly string[]): Promise<void> {
    const key = this.#indexKey(user);
    for (let i = 0; i < sids.length; i += removeChunk) {
      await this.#run(indexRemoveScript, [key], sids.slice(i, i + removeChunk));
    }
  }

  #remember(sid: string, expiresAt: number, digest: string): void {
    if (this.#config.touchAfterMs > 0) this.#seen.remember(sid, { expiresAt, digest });
  }

  /**
   * True when a write would move a live session's expiry (now + ttl) by less than `touchAfter`
   * or a tenth of its lifetime, whichever is less, so a short session kept active never expires
   * early; never for a deletion.
   */
  #movesTooLittle(storedExpiresAt: number, now: number, ttl: number): boolean {
    if (ttl <= 0) return false;
    const threshold = Math.min(this.#config.touchAfterMs, ttl * maxLagShare);
    return Math.abs(now + ttl - storedExpiresAt) < threshold;
  }

  #ttlOf(session: S, now: number): number {
    return sessionLifetime(session, now, this.#config.ttlMs, this.#config.ttlFunction);
  }

  #userOf(session: S): string {
    const user = this.#config.userId?.(session);
    if (user === undefined || user === null || user === '') return '';
    if (typeof user === 'string') return user;
    if (typeof user === 'number') return String(user);
    throw new RediwareError(
      'ERR_RW_SESSION_USER_ID',
      `The \`userId\` option returned ${typeof user}; expected a string or undefined.`,
    );
  }

  #storageId(id: string): string {
    if (typeof id !== 'string' || id === '') {
      throw new RediwareError('ERR_RW_SESSION_ID', 'A session id must be a non-empty string.');
    }
    return this.#config.hashIds ? createHash('sha256').update(id).digest('base64url') : id;
  }

  #sessionKeys(sid: string): string[] {
    return [this.#config.sessions.key(sid, 'data'), this.#config.sessions.key(sid, 'destroyed')];
  }

  #indexKey(userId: string): string {
    if (this.#config.userId === undefined) {
      throw new RediwareError(
        'ERR_RW_SESSION_NO_USER_INDEX',
        'The per-user index is off: pass the `userId` option to use listUserSessions/destroyUserSessions.',
      );
    }
    if (typeof userId !== 'string' || userId === '') {
      throw new RediwareError('ERR_RW_SESSION_USER_ID', 'A user id must be a non-empty string.');
    }
    return this.#config.users.key(userId, 'sessions');
  }

  #run<Reply>(script: Script<Reply>, keys: readonly string[], args: readonly ScriptArg[]): Promise<Reply> {
    return this.#policy(script.name, this.#backend.run(script, keys, args));
  }

  /** Sessions fail closed: a Redis failure is reported and passed on, never answered with a guess. */
  #policy<T>(operation: string, sent: Promise<T>): Promise<T> {
    return withFailPolicy(sent, {
      operation,
      failOpen: false,
      onFailure: (event) => {
        this.#metrics.errors.add();
        this.emit('failure', event);
      },
    });
  }
}

/**
 * A session key of another Redis type (a string, a list...) is a corrupt record, not a Redis
 * failure: no session rather than a 500 on every request that carries its cookie. The next save
 * of the id replaces it.
 */
function wrongTypeAsCorrupt(error: unknown): CorruptSessionError {
  if (!isWrongTypeError(error)) throw error;
  return new CorruptSessionError('its key holds another Redis type than a hash');
}

/** Creates the framework-neutral store; `RedisStore` of `./express` and `./fastify` wrap it. */
export function createSessionStore<S extends object = Record<string, unknown>>(
  options: SessionStoreOptions<S> = {},
): SessionStore<S> {
  return new SessionStore<S>(options);
}
