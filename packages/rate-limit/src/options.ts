import {
  checkBoolean,
  checkKnownKeys,
  checkMetricsSink,
  checkNonNegativeInteger,
  checkObject,
  checkOneOf,
  checkPositiveInteger,
  checkPrefix,
  checkString,
  type Duration,
  type MetricsSink,
  parsePositiveDuration,
  type RedisClient,
  RediwareConfigError,
} from '@rediware/core';
import { type Algorithm, algorithms } from './algorithms/algorithm-scripts';
import type { Policy } from './algorithms/policy';

/** One more limit decided together with the main one, such as 1000 per hour beside 10 per second. */
export interface PolicyOptions {
  /**
   * Requests (cost units) per window; for the token bucket, tokens added per window. The main
   * `limit` of a limiter may be 0: every request is then rejected, without a Redis call.
   */
  limit: number;
  /** Length of the window: ms or '500ms', '30s', '5m', '1h', '1d'. */
  window: Duration;
  /** Token bucket capacity. @default limit */
  burst?: number;
}

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions extends PolicyOptions {
  /**
   * A node-redis client or cluster (v4+, connected) or an ioredis Redis or Cluster.
   * @default undefined: the in-process memory backend (one process only)
   */
  redis?: RedisClient | undefined;
  /**
   * 'fixed-window', 'sliding-window' (weighted two-window counter), 'sliding-log' (exact sorted-set
   * log, memory grows with `limit`) or 'token-bucket'.
   * @default 'sliding-window'
   */
  algorithm?: Algorithm;
  /**
   * More limits decided atomically with `limit`/`window` in the same round trip; the request is
   * admitted only if every one admits it. They share the algorithm.
   * @default []
   */
  policies?: readonly PolicyOptions[];
  /**
   * Names this limiter: limiters with different names never share counts, even with the same
   * limits, key and prefix. Printable ASCII without spaces, quotes or backslashes, at most 128
   * characters. Shown in the draft-8 headers. Fastify route limiters default to the route.
   * @default 'default'
   */
  name?: string;
  /** Prefix of every Redis key. @default 'rw:' */
  prefix?: string;
  /** Deadline of each Redis call. @default '500ms' */
  timeout?: Duration;
  /**
   * What to do when Redis fails. `true`: when Redis is unreachable, too slow or not connected (an
   * outage), admit the request; when Redis answers that it refuses our commands (wrong password,
   * ACL without EVAL/EVALSHA, a key of the wrong type, out of memory: a configuration error), throw
   * the `RedisRefusedError` (500) instead, logged once per reply code as a process warning.
   * `'always'`: admit on every Redis failure, refusals included. `false`: throw every Redis
   * failure (an outage: a 503 `RedisError`). Either way a `failure` event is emitted.
   * @default true
   */
  failOpen?: boolean | 'always';
  /**
   * While Redis fails and `failOpen` is true, decide with an in-process limiter of the same
   * policies instead of admitting everything (each process then limits on its own).
   * @default false
   */
  memoryFallback?: boolean;
  /**
   * A client that keeps sending while rejected stays rejected (@fastify/rate-limit's
   * `continueExceeding`): every rejected `consume` holds the key for a whole `window` from that
   * request, and `retryAfterMs` says so. Every request then asks Redis (no block cache), since
   * each one extends the hold.
   * @default false
   */
  continueExceeding?: boolean;
  /**
   * Once a key is rejected until time T, reject it again locally until T without asking Redis.
   * `false` turns this off; a number sets how many keys are remembered at most.
   * @default true (10000 keys)
   */
  blockCache?: boolean | number;
  /**
   * Where the limiter's counters go (admitted, rejected, failed open, block cache hits), labelled
   * `{ limiter: name }`: `createPrometheusMetrics()` from `@rediware/core/prometheus`,
   * `createOpenTelemetryMetrics()` from `@rediware/core/opentelemetry`, or your own MetricsSink.
   * `limiter.metrics()` returns the totals either way.
   * @default undefined: counted in the limiter only
   */
  metrics?: MetricsSink | undefined;
}

/** A limiter's options as validated, with the defaults filled in (`limiter.config`); frozen. */
export interface RateLimiterConfig {
  /** The Redis client; undefined for the memory backend. */
  readonly redis: RedisClient | undefined;
  /** The counting algorithm. */
  readonly algorithm: Algorithm;
  /** Every limit decided on each call: `limit`/`window`/`burst` first, then `policies`. */
  readonly policies: readonly Policy[];
  /** The limiter's name. */
  readonly name: string;
  /** Prefix of every Redis key. */
  readonly prefix: string;
  /** Deadline of each Redis call in ms; undefined for the default. */
  readonly timeout: number | undefined;
  /** The fail policy (see `RateLimiterOptions.failOpen`). */
  readonly failOpen: boolean | 'always';
  /** Whether an in-process limiter decides while Redis fails. */
  readonly memoryFallback: boolean;
  /** Whether a rejected consume holds the key for a window (see `RateLimiterOptions.continueExceeding`). */
  readonly continueExceeding: boolean;
  /** 0 when the block cache is off. */
  readonly blockCacheSize: number;
  /** Where the counters go; undefined when they are only kept in the limiter. */
  readonly metrics: MetricsSink | undefined;
}

const knownOptions = [
  'redis',
  'algorithm',
  'limit',
  'window',
  'burst',
  'policies',
  'name',
  'prefix',
  'timeout',
  'failOpen',
  'memoryFallback',
  'continueExceeding',
  'blockCache',
  'metrics',
];

export function parseOptions(input: unknown, extraKnown: readonly string[] = []): RateLimiterConfig {
  const options = checkObject(input, 'options') as Partial<RateLimiterOptions> & Record<string, unknown>;
  checkKnownKeys(options, [...knownOptions, ...extraKnown], 'options');
  const algorithm =
    options.algorithm === undefined
      ? 'sliding-window'
      : checkOneOf(options.algorithm, 'algorithm', algorithms);
  const extra = options.policies === undefined ? [] : options.policies;
  if (!Array.isArray(extra))
    throw new RediwareConfigError('policies', 'an array of { limit, window, burst? }', extra);
  const policies = [
    parsePolicy(options, '', algorithm, true),
    ...extra.map((policy, i) =>
      parsePolicy(checkObject(policy, `policies[${i}]`), `policies[${i}].`, algorithm),
    ),
  ];
  const name = options.name === undefined ? 'default' : checkString(options.name, 'name');
  if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/.test(name)) {
    throw new RediwareConfigError(
      'name',
      '1 to 128 printable ASCII characters without spaces, quotes or backslashes',
      name,
    );
  }
  return Object.freeze({
    redis: options.redis,
    algorithm,
    policies: Object.freeze(policies),
    name,
    prefix: options.prefix === undefined ? 'rw:' : checkPrefix(options.prefix),
    timeout: options.timeout === undefined ? undefined : parsePositiveDuration(options.timeout, 'timeout'),
    failOpen: parseFailOpen(options.failOpen),
    memoryFallback:
      options.memoryFallback === undefined ? false : checkBoolean(options.memoryFallback, 'memoryFallback'),
    continueExceeding:
      options.continueExceeding === undefined
        ? false
        : checkBoolean(options.continueExceeding, 'continueExceeding'),
    blockCacheSize: parseBlockCache(options.blockCache),
    metrics: checkMetricsSink(options.metrics),
  });
}

function parsePolicy(
  options: Record<string, unknown>,
  path: string,
  algorithm: Algorithm,
  main = false,
): Policy {
  const limit = main
    ? checkNonNegativeInteger(options.limit, `${path}limit`)
    : checkPositiveInteger(options.limit, `${path}limit`);
  if (options.window === undefined) throw new RediwareConfigError(`${path}window`, 'a duration', undefined);
  const windowMs = parsePositiveDuration(options.window, `${path}window`);
  if (options.burst !== undefined && algorithm !== 'token-bucket') {
    throw new RediwareConfigError(
      `${path}burst`,
      "no value unless algorithm is 'token-bucket'",
      options.burst,
    );
  }
  const burst = options.burst === undefined ? limit : checkPositiveInteger(options.burst, `${path}burst`);
  return Object.freeze({ limit, windowMs, burst });
}

function parseFailOpen(value: unknown): boolean | 'always' {
  if (value === undefined) return true;
  if (value === true || value === false || value === 'always') return value;
  throw new RediwareConfigError('failOpen', "true, false or 'always'", value);
}

function parseBlockCache(value: unknown): number {
  if (value === undefined || value === true) return 10_000;
  if (value === false) return 0;
  return checkPositiveInteger(value, 'blockCache');
}
