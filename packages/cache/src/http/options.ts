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
import type { L1Options } from './engine-port';
import { parseOmitHeaders } from './omitted-headers';
import type { StorageDefaults } from './rfc9111/cacheability';
import { heuristicStatuses } from './rfc9111/status-codes';
import type { AdmissionConfig } from './store-admission';
import { maxUses } from './store-admission-script';

/** What a route may say about how its responses are cached (the response cache's per-route options). */
export interface ResponseCacheRouteOptions<Req> {
  /**
   * Freshness of responses that carry none (no s-maxage/max-age); 0 stores only responses whose
   * own Cache-Control gives them a freshness, as RFC 9111 allows.
   * @default the plugin's ttl
   */
  ttl?: Duration;
  /** After freshness, serve the stored response while one request refreshes it. @default 0 */
  staleWhileRevalidate?: Duration;
  /** After freshness, serve the stored response when the handler fails (5xx) or throws. @default 0 */
  staleIfError?: Duration;
  /**
   * How long a response with a validator of its own (ETag or Last-Modified) stays stored after it
   * is no longer fresh, to be revalidated: the next request runs the handler with If-None-Match /
   * If-Modified-Since, and a 304 from it freshens the stored response, which the client gets in
   * full. 0: a stale response is dropped, the handler answers in full. @default '1m'
   */
  keepForRevalidation?: Duration;
  /** Tags of the stored response, for `invalidate({ tags })`. @default no tags */
  tags?: (req: Req) => readonly string[];
  /** Request headers that are always part of the key (besides the response's Vary). @default [] */
  vary?: readonly string[];
  /**
   * Statuses stored without explicit freshness (with the default `ttl`, or heuristic freshness
   * when `ttl` is 0); any other final status is stored only when its response gives its own
   * freshness (s-maxage, max-age, Expires, Surrogate-Control).
   * @default [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501] (RFC 9110's heuristically cacheable)
   */
  statuses?: readonly number[];
  /** Bodies larger than this many bytes are passed through, not stored. @default 1048576 (1 MiB) */
  maxBodySize?: number;
  /**
   * Bodies larger than this many bytes are stored gzip-compressed (when their Content-Type is
   * compressible and the app set no Content-Encoding) and served compressed to clients that accept
   * gzip, decompressed to the others; `false`: never compress.
   * @default 1024
   */
  compressAbove?: number | false;
  /**
   * A per-user key: with it, requests carrying Authorization or Cookie are cached too, in entries
   * of their own for each returned key; `undefined` means "do not cache this request".
   * @default none: credentialed requests bypass the cache
   */
  key?: (req: Req) => string | undefined;
  /**
   * Requests for which this returns true bypass the cache (`X-Cache: BYPASS`): never answered from
   * it, their responses never stored (apicache's toggle). Called before the handler, on every GET
   * and HEAD the cache sees, so keep it cheap and synchronous.
   * @default none: every request may be cached
   */
  skip?: (req: Req) => boolean;
  /**
   * Response headers never stored (apicache's `headerBlacklist`): the response that ran the handler
   * goes out with them, a hit without them. Names the cache needs to serve a body rightly
   * (Content-Type, Content-Encoding, ETag, Last-Modified, Cache-Control, Expires, Date, Vary) are
   * refused. Set-Cookie, hop-by-hop headers and the rate limiter's are never stored anyway.
   * @default []
   */
  omitHeaders?: readonly string[];
}

export interface ResponseCacheOptions<Req> extends ResponseCacheRouteOptions<Req> {
  /**
   * A node-redis client or cluster (v4+, connected) or an ioredis Redis or Cluster.
   * @default undefined: the in-process memory backend (one process only)
   */
  redis?: RedisClient | undefined;
  /** Prefix of every Redis key and of the pub/sub channel. @default 'rw:' */
  prefix?: string;
  /** Deadline of each Redis call: past it the handler serves the request (fail open). @default '500ms' */
  timeout?: Duration;
  /**
   * Hosts whose requests are cached, each under its own host; requests for any other Host bypass
   * the cache. Without it the Host is not part of the key at all (one site per cache).
   * @default undefined
   */
  trustedHosts?: readonly string[];
  /**
   * Where the counters go: responses by X-Cache (`rediware_response_cache_*`) and the engine's
   * (`rediware_cache_*`). A sink from `@rediware/core/prometheus` or `@rediware/core/opentelemetry`.
   * @default undefined: counted in the response cache only (`stats()`)
   */
  metrics?: MetricsSink | undefined;
  /** Freshness of responses that carry none; 0: only what RFC 9111 allows. Required. */
  ttl: Duration;
  /**
   * An in-process tier in front of Redis, kept coherent across instances by pub/sub (the data
   * cache's `l1` option): `true` for its defaults, or `{ maxEntries, ttl }`.
   * @default false
   */
  l1?: boolean | L1Options;
  /**
   * Honour `Surrogate-Control` (max-age, no-store) over Cache-Control for this cache's own
   * storage, and drop it from the responses passed downstream. `{ target }`: also the directives targeted at this
   * device token (`max-age=60;target`), the name the app announces in `Surrogate-Capability`.
   * `false`: the header is an ordinary response header.
   * @default true
   */
  surrogateControl?: boolean | { target: string };
  /**
   * Admission, as nginx's `proxy_cache_min_uses`: a response is stored only once its key was asked
   * this many times (misses with a storable response) within `minUsesWindow`, so a URL asked once
   * costs no Redis memory. 1: every storable response is stored.
   * @default 2
   */
  minUses?: number | undefined;
  /** The window `minUses` counts in (uses in this window and the one before count). @default '10m' */
  minUsesWindow?: Duration | undefined;
  /**
   * Budget: at most this many entries (a stored response, and the vary index of one that varies)
   * live in Redis for this prefix; past it, new responses are not stored until entries expire.
   * @default 100000
   */
  maxEntries?: number | undefined;
  /**
   * Budget: no new response is stored while Redis uses more than this fraction of its `maxmemory`
   * (read from INFO on the node of the budget key), so the cache leaves room to the rate limiter,
   * locks and sessions on the same Redis. `false`: not checked. Nothing is checked when Redis has
   * no `maxmemory`.
   * @default 0.8
   */
  maxMemoryUsage?: number | false | undefined;
}

/** Surrogate-Control handling: undefined when switched off. */
export interface SurrogatePolicy {
  readonly target: string | undefined;
}

export interface RoutePolicy<Req> {
  readonly defaults: StorageDefaults;
  readonly keepForRevalidationMs: number;
  readonly tags: ((req: Req) => readonly string[]) | undefined;
  readonly vary: readonly string[];
  readonly maxBodySize: number;
  /** Infinity: never compress. */
  readonly compressAbove: number;
  readonly key: ((req: Req) => string | undefined) | undefined;
  readonly skip: ((req: Req) => boolean) | undefined;
  /** Lower-case names. */
  readonly omitHeaders: ReadonlySet<string>;
}

export interface ResponseCacheConfig<Req> {
  readonly redis: RedisClient | undefined;
  readonly prefix: string;
  readonly timeout: number | undefined;
  readonly trustedHosts: ReadonlySet<string> | undefined;
  /** Passed to the engine as it was given; the engine validates it. */
  readonly l1: boolean | L1Options | undefined;
  readonly route: RoutePolicy<Req>;
  readonly metrics: MetricsSink | undefined;
  readonly surrogate: SurrogatePolicy | undefined;
  readonly admission: AdmissionConfig;
}

const routeKeys = [
  'ttl',
  'staleWhileRevalidate',
  'staleIfError',
  'keepForRevalidation',
  'tags',
  'vary',
  'statuses',
  'maxBodySize',
  'compressAbove',
  'key',
  'skip',
  'omitHeaders',
];
const pluginKeys = [
  ...routeKeys,
  'redis',
  'prefix',
  'timeout',
  'trustedHosts',
  'l1',
  'metrics',
  'surrogateControl',
  'minUses',
  'minUsesWindow',
  'maxEntries',
  'maxMemoryUsage',
];

export function parseResponseCacheOptions<Req>(input: unknown): ResponseCacheConfig<Req> {
  const options = checkObject(input, 'options') as Partial<ResponseCacheOptions<Req>> &
    Record<string, unknown>;
  checkKnownKeys(options, pluginKeys, 'options');
  if (options.ttl === undefined) throw new RediwareConfigError('ttl', 'a duration (0 allowed)', undefined);
  return Object.freeze({
    redis: options.redis,
    prefix: options.prefix === undefined ? 'rw:' : checkPrefix(options.prefix),
    timeout: options.timeout === undefined ? undefined : parsePositiveDuration(options.timeout, 'timeout'),
    trustedHosts:
      options.trustedHosts === undefined
        ? undefined
        : new Set(stringList(options.trustedHosts, 'trustedHosts')),
    l1: options.l1,
    route: parseRoute<Req>(options, undefined),
    metrics: checkMetricsSink(options.metrics),
    surrogate: surrogatePolicy(options.surrogateControl),
    admission: admissionConfig(options),
  });
}

function admissionConfig(
  options: Pick<ResponseCacheOptions<unknown>, 'minUses' | 'minUsesWindow' | 'maxEntries' | 'maxMemoryUsage'>,
): AdmissionConfig {
  const minUses = options.minUses === undefined ? 2 : checkPositiveInteger(options.minUses, 'minUses');
  if (minUses > maxUses) throw new RediwareConfigError('minUses', `an integer from 1 to ${maxUses}`, minUses);
  const usage = options.maxMemoryUsage;
  if (usage !== undefined && usage !== false && !(typeof usage === 'number' && usage > 0 && usage <= 1))
    throw new RediwareConfigError('maxMemoryUsage', 'a fraction above 0 and at most 1, or false', usage);
  return Object.freeze({
    minUses,
    windowMs:
      options.minUsesWindow === undefined
        ? 600_000
        : parsePositiveDuration(options.minUsesWindow, 'minUsesWindow'),
    maxEntries:
      options.maxEntries === undefined ? 100_000 : checkPositiveInteger(options.maxEntries, 'maxEntries'),
    maxMemoryPermille: usage === false ? 0 : Math.max(1, Math.round((usage ?? 0.8) * 1000)),
  });
}

/** A route's policy: its own options over the plugin's. */
export function parseRouteOptions<Req>(input: unknown, base: RoutePolicy<Req>): RoutePolicy<Req> {
  const options = checkObject(input, 'route options') as Record<string, unknown>;
  checkKnownKeys(options, routeKeys, 'route options');
  return parseRoute<Req>(options as Partial<ResponseCacheRouteOptions<Req>>, base);
}

function parseRoute<Req>(
  options: Partial<ResponseCacheRouteOptions<Req>>,
  base: RoutePolicy<Req> | undefined,
): RoutePolicy<Req> {
  const inherited = base?.defaults;
  const duration = (value: Duration | undefined, option: string, fallback: number): number =>
    value === undefined ? fallback : parseDuration(value, option);
  const statuses =
    options.statuses === undefined
      ? (inherited?.statuses ?? new Set(heuristicStatuses))
      : new Set(options.statuses.map((status) => checkStatus(status)));
  return Object.freeze({
    defaults: Object.freeze({
      ttlMs: duration(options.ttl, 'ttl', inherited?.ttlMs ?? 0),
      staleWhileRevalidateMs: duration(
        options.staleWhileRevalidate,
        'staleWhileRevalidate',
        inherited?.staleWhileRevalidateMs ?? 0,
      ),
      staleIfErrorMs: duration(options.staleIfError, 'staleIfError', inherited?.staleIfErrorMs ?? 0),
      statuses,
    }),
    keepForRevalidationMs: duration(
      options.keepForRevalidation,
      'keepForRevalidation',
      base?.keepForRevalidationMs ?? 60_000,
    ),
    tags:
      options.tags === undefined
        ? base?.tags
        : checkFunction<(req: Req) => readonly string[]>(options.tags, 'tags'),
    vary:
      options.vary === undefined
        ? (base?.vary ?? [])
        : [...new Set(stringList(options.vary, 'vary').map((name) => name.toLowerCase()))].sort(),
    maxBodySize:
      options.maxBodySize === undefined
        ? (base?.maxBodySize ?? 1_048_576)
        : checkPositiveInteger(options.maxBodySize, 'maxBodySize'),
    compressAbove: compressAbove(options.compressAbove, base?.compressAbove ?? 1024),
    key:
      options.key === undefined
        ? base?.key
        : checkFunction<(req: Req) => string | undefined>(options.key, 'key'),
    skip:
      options.skip === undefined ? base?.skip : checkFunction<(req: Req) => boolean>(options.skip, 'skip'),
    omitHeaders: parseOmitHeaders(options.omitHeaders, base?.omitHeaders ?? new Set()),
  });
}

function surrogatePolicy(value: unknown): SurrogatePolicy | undefined {
  if (value === undefined || value === true) return Object.freeze({ target: undefined });
  if (value === false) return undefined;
  const target =
    typeof value === 'object' && value !== null ? (value as { target?: unknown }).target : undefined;
  if (typeof target !== 'string' || !/^[A-Za-z0-9._-]+$/.test(target))
    throw new RediwareConfigError('surrogateControl', 'true, false or { target: a device token }', value);
  return Object.freeze({ target });
}

function compressAbove(value: unknown, inherited: number): number {
  if (value === undefined) return inherited;
  if (value === false) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new RediwareConfigError('compressAbove', 'a number of bytes (0 or more) or false', value);
  return value;
}

function checkStatus(status: unknown): number {
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    throw new RediwareConfigError('statuses', 'an array of HTTP status codes', status);
  return status;
}

function stringList(value: unknown, option: string): string[] {
  if (!Array.isArray(value)) throw new RediwareConfigError(option, 'an array of strings', value);
  return value.map((item) => {
    const text = checkString(item, option);
    if (text === '') throw new RediwareConfigError(option, 'an array of non-empty strings', value);
    return text.toLowerCase();
  });
}
