import {
  checkFunction,
  checkKnownKeys,
  checkMetricsSink,
  checkObject,
  checkPositiveInteger,
  checkPrefix,
  checkString,
  type Duration,
  type MetricsSink,
  parseDuration,
  parsePositiveDuration,
  type RedisClient,
  RediwareConfigError,
} from '@rediware/core';
import { jsonSerializer, type Serializer } from '../codec/value-codec';
import { parseWriteBehindStreams } from '../write-behind/options';

/** The bounded in-process tier in front of Redis. */
export interface L1Options {
  /** Entries kept at most; the least recently used go first. @default 1000 */
  maxEntries?: number;
  /**
   * How long an entry is served from process memory at most (never past its freshness). Pub/sub
   * evicts it earlier when another instance changes it; this bounds the damage of a lost message.
   * @default '30s'
   */
  ttl?: Duration;
  /**
   * L1 serves an entry only while the bus has proved, this recently, that it delivers every
   * message: each instance publishes a probe every quarter of this and waits for its own echo. A
   * stalled pub/sub link that never reports an error therefore serves invalidated values for at
   * most this long; past it, reads go to Redis until the echo returns (then L1 is refilled).
   * `false` turns the probes off (a silent stall is then bounded by `ttl` only).
   * @default '5s'
   */
  maxUnverified?: Duration | false;
}

/** Options of `createCache`. */
export interface CacheOptions {
  /**
   * A node-redis client or cluster (v4+, connected) or an ioredis Redis or Cluster.
   * @default undefined: the in-process memory backend (one process only)
   */
  redis?: RedisClient | undefined;
  /** Prefix of every Redis key and of the pub/sub channel. @default 'rw:' */
  prefix?: string;
  /** How long an entry is fresh, when a call does not say. Required. */
  ttl: Duration;
  /** After `ttl`, how long `wrap` may serve the old value while one caller refreshes it. @default 0 */
  staleWhileRevalidate?: Duration;
  /** After `ttl`, how long `wrap` may serve the old value when the loader fails. @default 0 */
  staleIfError?: Duration;
  /** An in-process tier kept coherent across instances by pub/sub; `true` for the defaults. @default false */
  l1?: boolean | L1Options;
  /** Deadline of each Redis call. @default '500ms' */
  timeout?: Duration;
  /** Turns values into bytes and back; Buffers are always stored as they are. @default JSON */
  serializer?: Serializer;
  /** Serialized values larger than this many bytes are not cached (an `oversize` event says so). @default 1048576 (1 MiB) */
  maxValueSize?: number;
  /**
   * How long the loader lock of a key is held at most: a crashed loader blocks the key's other
   * callers for no longer than this. Set it above your slowest loader.
   * @default '10s'
   */
  lockTtl?: Duration;
  /**
   * How long a caller waits for another process's loader before it calls the loader itself.
   * @default lockTtl
   */
  lockWait?: Duration;
  /**
   * When a loader (of `wrap`, or a `loadMany` call of `wrapMany`) runs longer than this and a value
   * inside its stale-if-error window is there, that stale value is returned at once; the loader
   * keeps running in the background and updates the cache when it finishes. Without such a value
   * the caller keeps waiting.
   * @default undefined: no soft timeout
   */
  softTimeout?: Duration;
  /**
   * When a loader (of `wrap`, or a `loadMany` call of `wrapMany`) runs longer than this, the call
   * gives up with an `ERR_RW_CACHE_LOADER_TIMEOUT` error (or the stale-if-error value, when there
   * is one) and the loader's result is not cached. Also bounds a loader finishing after softTimeout.
   * @default undefined: no hard timeout
   */
  hardTimeout?: Duration;
  /**
   * A fraction of an entry's ttl (above 0, below 1): the first `wrap` after that point returns the
   * cached value and refreshes it once in the background (once across processes), so hot keys never
   * miss. The L1 tier serves an entry only up to that point.
   * @default undefined: no refresh ahead
   */
  refreshAhead?: number;
  /**
   * How many Redis Streams `writeBehind` spreads writes over (by key hash; one key always uses the
   * same stream). Each stream has its own hash tag, so on a cluster they spread over the masters.
   * Writers and workers must agree on it.
   * @default 1
   */
  writeBehindStreams?: number;
  /**
   * Where the cache's counters go (hits, misses, stale, coalesced waits, errors, bytes stored):
   * `createPrometheusMetrics()` from `@rediware/core/prometheus`, `createOpenTelemetryMetrics()`
   * from `@rediware/core/opentelemetry`, or your own MetricsSink. `cache.metrics()` returns the totals.
   * @default undefined: counted in the cache only
   */
  metrics?: MetricsSink | undefined;
}

export interface L1Config {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** undefined: no probes. */
  readonly maxUnverifiedMs: number | undefined;
}

/** A cache's options as validated, durations in ms, defaults filled in (`cache.config`); frozen. */
export interface CacheConfig {
  /** The Redis client; undefined for the memory backend. */
  readonly redis: RedisClient | undefined;
  /** Prefix of every Redis key and of the pub/sub channel. */
  readonly prefix: string;
  /** `ttl`, in ms. */
  readonly ttlMs: number;
  /** `staleWhileRevalidate`, in ms. */
  readonly staleWhileRevalidateMs: number;
  /** `staleIfError`, in ms. */
  readonly staleIfErrorMs: number;
  /** The L1 tier's settings; undefined when it is off. */
  readonly l1: L1Config | undefined;
  /** Deadline of each Redis call in ms; undefined for the default. */
  readonly timeout: number | undefined;
  /** The serializer. */
  readonly serializer: Serializer;
  /** `maxValueSize`, in bytes. */
  readonly maxValueSize: number;
  /** `lockTtl`, in ms. */
  readonly lockTtlMs: number;
  /** `lockWait`, in ms. */
  readonly lockWaitMs: number;
  /** `softTimeout`, in ms; undefined when there is none. */
  readonly softTimeoutMs: number | undefined;
  /** `hardTimeout`, in ms; undefined when there is none. */
  readonly hardTimeoutMs: number | undefined;
  /** `refreshAhead`; undefined when there is none. */
  readonly refreshAhead: number | undefined;
  /** `writeBehindStreams`. */
  readonly writeBehindStreams: number;
  /** Where the counters go; undefined when they are only kept in the cache. */
  readonly metrics: MetricsSink | undefined;
}

const knownOptions = [
  'redis',
  'prefix',
  'ttl',
  'staleWhileRevalidate',
  'staleIfError',
  'l1',
  'timeout',
  'serializer',
  'maxValueSize',
  'lockTtl',
  'lockWait',
  'softTimeout',
  'hardTimeout',
  'refreshAhead',
  'writeBehindStreams',
  'metrics',
];

export function parseOptions(input: unknown): CacheConfig {
  const options = checkObject(input, 'options') as Partial<CacheOptions> & Record<string, unknown>;
  checkKnownKeys(options, knownOptions, 'options');
  if (options.ttl === undefined) throw new RediwareConfigError('ttl', 'a duration', undefined);
  const lockTtlMs =
    options.lockTtl === undefined ? 10_000 : parsePositiveDuration(options.lockTtl, 'lockTtl');
  return Object.freeze({
    redis: options.redis,
    prefix: options.prefix === undefined ? 'rw:' : checkPrefix(options.prefix),
    ttlMs: parsePositiveDuration(options.ttl, 'ttl'),
    staleWhileRevalidateMs: optionalDuration(options.staleWhileRevalidate, 'staleWhileRevalidate'),
    staleIfErrorMs: optionalDuration(options.staleIfError, 'staleIfError'),
    l1: parseL1(options.l1),
    timeout: options.timeout === undefined ? undefined : parsePositiveDuration(options.timeout, 'timeout'),
    serializer: options.serializer === undefined ? jsonSerializer : parseSerializer(options.serializer),
    maxValueSize:
      options.maxValueSize === undefined
        ? 1_048_576
        : checkPositiveInteger(options.maxValueSize, 'maxValueSize'),
    lockTtlMs,
    lockWaitMs:
      options.lockWait === undefined ? lockTtlMs : parsePositiveDuration(options.lockWait, 'lockWait'),
    softTimeoutMs:
      options.softTimeout === undefined
        ? undefined
        : parsePositiveDuration(options.softTimeout, 'softTimeout'),
    hardTimeoutMs:
      options.hardTimeout === undefined
        ? undefined
        : parsePositiveDuration(options.hardTimeout, 'hardTimeout'),
    refreshAhead: parseRefreshAhead(options.refreshAhead),
    writeBehindStreams: parseWriteBehindStreams(options.writeBehindStreams),
    metrics: checkMetricsSink(options.metrics),
  });
}

function parseRefreshAhead(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new RediwareConfigError('refreshAhead', 'a fraction of the ttl, above 0 and below 1', value);
  }
  return value;
}

function optionalDuration(value: unknown, option: string): number {
  return value === undefined ? 0 : parseDuration(value, option);
}

/**
 * How long the invalidation bus may go unverified (l1.maxUnverified's default) before what this
 * process learned from it (L1 entries, remembered stamp versions) is no longer trusted.
 */
export const defaultMaxUnverifiedMs = 5_000;

function parseL1(value: unknown): L1Config | undefined {
  if (value === undefined || value === false) return undefined;
  const options = value === true ? {} : (checkObject(value, 'l1') as L1Options & Record<string, unknown>);
  checkKnownKeys(options, ['maxEntries', 'ttl', 'maxUnverified'], 'l1');
  const { maxUnverified } = options;
  return Object.freeze({
    maxEntries:
      options.maxEntries === undefined ? 1000 : checkPositiveInteger(options.maxEntries, 'l1.maxEntries'),
    ttlMs: options.ttl === undefined ? 30_000 : parsePositiveDuration(options.ttl, 'l1.ttl'),
    maxUnverifiedMs:
      maxUnverified === false
        ? undefined
        : maxUnverified === undefined
          ? defaultMaxUnverifiedMs
          : parsePositiveDuration(maxUnverified, 'l1.maxUnverified'),
  });
}

function parseSerializer(value: unknown): Serializer {
  const serializer = checkObject(value, 'serializer');
  checkFunction(serializer.serialize, 'serializer.serialize');
  checkFunction(serializer.deserialize, 'serializer.deserialize');
  return serializer as unknown as Serializer;
}

/** What one call may say about the entry it writes. */
export interface EntryOptions {
  /** Freshness of this entry; 0 means do not cache it. @default the cache's ttl */
  ttl?: Duration;
  /** Tags to invalidate this entry by, with `invalidate({ tags })`. @default [] */
  tags?: readonly string[];
  /** The versioned namespace the key belongs to (see `bumpVersion`). @default none */
  namespace?: string;
  /** @default the cache's staleWhileRevalidate */
  staleWhileRevalidate?: Duration;
  /** @default the cache's staleIfError */
  staleIfError?: Duration;
  /**
   * After freshness, the entry stays in Redis this long (or to the end of its stale windows, if
   * later) without ever being served, for the next loader to see as `context.previous` (an HTTP
   * cache revalidates it). Written by `wrap` and `set`; `setMany` ignores it. @default 0
   */
  keep?: Duration;
}

/** How a call names its key. */
export interface KeyOptions {
  /** The versioned namespace the key belongs to. @default none */
  namespace?: string;
}

/** The validated form of EntryOptions. */
export interface EntryPolicy {
  readonly ttlMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  readonly keepMs: number;
  readonly tags: readonly string[];
}

export function parseEntryOptions(options: EntryOptions, config: CacheConfig): EntryPolicy {
  return {
    ttlMs: options.ttl === undefined ? config.ttlMs : parseDuration(options.ttl, 'ttl'),
    staleWhileRevalidateMs:
      options.staleWhileRevalidate === undefined
        ? config.staleWhileRevalidateMs
        : parseDuration(options.staleWhileRevalidate, 'staleWhileRevalidate'),
    staleIfErrorMs:
      options.staleIfError === undefined
        ? config.staleIfErrorMs
        : parseDuration(options.staleIfError, 'staleIfError'),
    keepMs: options.keep === undefined ? 0 : parseDuration(options.keep, 'keep'),
    tags: parseTags(options.tags, 'tags'),
  };
}

export function parseTags(tags: unknown, option: string): readonly string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw new RediwareConfigError(option, 'an array of non-empty strings', tags);
  for (const tag of tags) {
    if (typeof tag !== 'string' || tag === '') {
      throw new RediwareConfigError(option, 'an array of non-empty strings', tags);
    }
  }
  return [...new Set(tags as string[])];
}

export function parseNamespace(namespace: unknown): string | undefined {
  if (namespace === undefined) return undefined;
  const text = checkString(namespace, 'namespace');
  if (text === '') throw new RediwareConfigError('namespace', 'a non-empty string', namespace);
  return text;
}
