import {
  checkBoolean,
  checkFunction,
  checkKnownKeys,
  checkMetricsSink,
  checkObject,
  checkPositiveInteger,
  createKeyspace,
  type Duration,
  type Keyspace,
  type MetricsSink,
  parseDuration,
  parsePositiveDuration,
  type RedisClient,
  RediwareConfigError,
} from '@rediware/core';
import { type EncryptionKey, parseEncryptionKeys } from './encryption';
import { warnIfTtlLooksLikeSeconds } from './ttl-seconds-warning';

/** Turns a session into the text stored in Redis and back; either method may return a promise. */
export interface Serializer {
  /** Turns stored text back into a session. */
  parse(text: string): unknown;
  /** Turns a session into the text stored in Redis. */
  stringify(value: unknown): string | Promise<string>;
}

/** The lifetime of a session, from the session (connect-redis 9's `ttl` function, in ms or a duration string here). */
export type SessionTtl<S> = (session: S) => Duration;

/** The options of both `RedisStore`s and of `createSessionStore`. */
export interface SessionStoreOptions<S extends object = Record<string, unknown>> {
  /**
   * A connected node-redis client or cluster (v4+), or an ioredis `Redis` or `Cluster`.
   * Omitted: the in-process memory backend (one process only, for development and tests).
   * @default undefined
   */
  redis?: RedisClient | undefined;
  /**
   * Starts every key. Keys are `<prefix>sid:{<id>}:data`, `<prefix>sid:{<id>}:destroyed` and
   * `<prefix>uid:{<userId>}:sessions`.
   * @default 'sess:'
   */
  prefix?: string | undefined;
  /**
   * How long a session lives when its cookie has no expiry (a browser-session cookie).
   * A cookie with `expires`/`maxAge` sets the lifetime itself. A number is milliseconds (not
   * seconds as in connect-redis): a number under 5 minutes warns once (`RW_SESSION_TTL_SECONDS`),
   * so write durations as strings (`'1d'`). A function of the session decides every session's
   * lifetime, over its cookie's expiry (as connect-redis 9's); it returns milliseconds or a
   * duration string, and 0 or less deletes the session.
   * @default '1d'
   */
  ttl?: Duration | SessionTtl<S> | undefined;
  /**
   * `touch` writes nothing: the stored lifetime is only moved by a save (`set`), as with
   * connect-redis's `disableTouch`. express-session calls `touch` for a request that did not
   * change its session (with `resave: false`), so an active but unchanged session then expires
   * when the lifetime of its last save ends. @fastify/session never calls `touch`.
   * @default false
   */
  disableTouch?: boolean | undefined;
  /**
   * Session keys get no expiry in Redis: they stay until destroyed or cleared (or evicted under
   * an `allkeys-*` policy). A session whose cookie expiry has passed still reads as no session.
   * A session without one (a browser-session cookie) is never removed: Redis grows with every
   * visitor unless you delete sessions yourself.
   * @default false
   */
  disableTTL?: boolean | undefined;
  /**
   * The COUNT hint of each SCAN that `ids()`, `all()`, `length()` and `clear()` send to every
   * master: keys Redis looks at per round trip.
   * @default 500
   */
  scanCount?: number | undefined;
  /**
   * A touch (or a save of unchanged data) that moves the stored expiry by less than this, or
   * than a tenth of the session's lifetime if that is less, writes nothing, so a read-only
   * request costs one Redis round trip. The stored expiry lags the cookie's by at most that
   * much. 0 writes on every touch.
   * @default '1m'
   */
  touchAfter?: Duration | undefined;
  /**
   * Deadline of every Redis call. A slower or dead Redis fails the call with a `RedisError`.
   * @default '500ms'
   */
  timeout?: Duration | undefined;
  /**
   * How long a destroyed session id refuses writes, so a slow request that saves after a
   * log-out cannot bring the session back. Longer than your slowest request. 0 leaves no
   * tombstone (as connect-redis: a save right after a destroy brings the session back).
   * `clear()` removes tombstones too.
   * @default '5m'
   */
  tombstoneTtl?: Duration | undefined;
  /**
   * Turns sessions into stored text and back.
   * @default JSON
   */
  serializer?: Serializer | undefined;
  /**
   * Enables the per-user index (`listUserSessions`, `destroyUserSessions`): the user a session
   * belongs to, or undefined for an anonymous session.
   * @default undefined (no index)
   */
  userId?: ((session: S) => string | undefined) | undefined;
  /**
   * Encrypts stored sessions with AES-256-GCM. Each key is a secret of at least 32 bytes
   * (a string or bytes); the first encrypts, every one decrypts, so a new key goes first and an
   * old one stays until the sessions it wrote have expired.
   * @default undefined (stored as the serializer writes them)
   */
  encryptionKeys?: ReadonlyArray<string | Uint8Array> | undefined;
  /**
   * Stores the SHA-256 of each session id instead of the id, so read access to Redis (a dump,
   * a replica, MONITOR) does not hand out live session ids. `ids()`, `all()` and
   * `listUserSessions()` then return the hashed ids.
   * @default false
   */
  hashIds?: boolean | undefined;
  /**
   * Where the store's counters go (reads, writes, touches skipped, corrupt records, errors):
   * `createPrometheusMetrics()` from `@rediware/core/prometheus`, `createOpenTelemetryMetrics()`
   * from `@rediware/core/opentelemetry`, or your own MetricsSink. `store.metrics()` returns the totals.
   * @default undefined: counted in the store only
   */
  metrics?: MetricsSink | undefined;
}

/** The validated, frozen form of the options. */
export interface SessionStoreConfig<S extends object> {
  readonly redis: RedisClient | undefined;
  readonly timeout: Duration | undefined;
  readonly sessions: Keyspace;
  readonly users: Keyspace;
  readonly ttlMs: number;
  /** Decides every lifetime when set (the `ttl` option as a function). */
  readonly ttlFunction: SessionTtl<S> | undefined;
  readonly disableTouch: boolean;
  readonly disableTTL: boolean;
  readonly scanCount: number;
  readonly touchAfterMs: number;
  readonly tombstoneTtlMs: number;
  readonly serializer: Serializer;
  readonly userId: ((session: S) => string | undefined) | undefined;
  readonly encryptionKeys: readonly EncryptionKey[] | undefined;
  readonly hashIds: boolean;
  readonly metrics: MetricsSink | undefined;
}

const knownOptions = [
  'redis',
  'prefix',
  'ttl',
  'disableTouch',
  'disableTTL',
  'scanCount',
  'touchAfter',
  'timeout',
  'tombstoneTtl',
  'serializer',
  'userId',
  'encryptionKeys',
  'hashIds',
  'metrics',
] as const;

/** The default serializer: `JSON.parse` and `JSON.stringify`. */
export const jsonSerializer: Serializer = Object.freeze({
  parse: (text: string): unknown => JSON.parse(text),
  stringify: (value: unknown): string => JSON.stringify(value),
});

/** Validates the options (each error names the option) and freezes them into a config. */
export function parseOptions<S extends object>(input: unknown = {}): SessionStoreConfig<S> {
  const options = checkObject(input, 'options');
  checkKnownKeys(options, knownOptions, 'options');
  const prefix = options.prefix === undefined ? 'sess:' : options.prefix;
  return Object.freeze({
    redis: options.redis as RedisClient | undefined,
    timeout: options.timeout as Duration | undefined,
    sessions: createKeyspace(prefix as string, 'sid'),
    users: createKeyspace(prefix as string, 'uid'),
    ttlMs: typeof options.ttl === 'function' ? defaultTtlMs : parseTtl(options.ttl),
    ttlFunction: typeof options.ttl === 'function' ? (options.ttl as SessionTtl<S>) : undefined,
    disableTouch:
      options.disableTouch === undefined ? false : checkBoolean(options.disableTouch, 'disableTouch'),
    disableTTL: options.disableTTL === undefined ? false : checkBoolean(options.disableTTL, 'disableTTL'),
    scanCount: options.scanCount === undefined ? 500 : checkPositiveInteger(options.scanCount, 'scanCount'),
    touchAfterMs: options.touchAfter === undefined ? 60_000 : parseDuration(options.touchAfter, 'touchAfter'),
    tombstoneTtlMs:
      options.tombstoneTtl === undefined ? 300_000 : parseDuration(options.tombstoneTtl, 'tombstoneTtl'),
    serializer: options.serializer === undefined ? jsonSerializer : parseSerializer(options.serializer),
    userId:
      options.userId === undefined
        ? undefined
        : checkFunction<(session: S) => string | undefined>(options.userId, 'userId'),
    encryptionKeys:
      options.encryptionKeys === undefined ? undefined : parseEncryptionKeys(options.encryptionKeys),
    hashIds: options.hashIds === undefined ? false : checkBoolean(options.hashIds, 'hashIds'),
    metrics: checkMetricsSink(options.metrics),
  });
}

const defaultTtlMs = 86_400_000;

function parseTtl(value: unknown): number {
  if (value === undefined) return defaultTtlMs;
  warnIfTtlLooksLikeSeconds(value);
  return parsePositiveDuration(value, 'ttl');
}

function parseSerializer(value: unknown): Serializer {
  const serializer = checkObject(value, 'serializer');
  if (typeof serializer.parse !== 'function' || typeof serializer.stringify !== 'function') {
    throw new RediwareConfigError('serializer', 'an object with parse(text) and stringify(value)', value);
  }
  return serializer as unknown as Serializer;
}
