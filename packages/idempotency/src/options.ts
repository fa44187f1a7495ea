import {
  checkBoolean,
  checkFunction,
  checkKnownKeys,
  checkMetricsSink,
  checkObject,
  checkPositiveInteger,
  checkPrefix,
  DEFAULT_TIMEOUT_MS,
  type Duration,
  type MetricsSink,
  parseDuration,
  parsePositiveDuration,
  type RedisClient,
} from '@rediware/core';

/** Options of {@link @rediware/idempotency!createIdempotency | createIdempotency}: where records live. */
export interface IdempotencyStoreOptions {
  /**
   * A connected node-redis client or cluster, or an ioredis `Redis` or `Cluster`. Omitted: the
   * in-process memory backend (one process only).
   * @default undefined
   */
  redis?: RedisClient | undefined;
  /**
   * Start of every key: `<prefix>idem:{<hash of scope and key>}:record`.
   * @default 'rw:'
   */
  prefix?: string | undefined;
  /**
   * Deadline of every Redis call; a slower answer fails with `RedisTimeoutError` (503).
   * @default '500ms'
   */
  timeout?: Duration | undefined;
  /**
   * How long the in-flight marker lasts without an extension. It is extended every third of it
   * while the handler runs; a process that dies mid-request leaves it to expire after this, and
   * then a retry runs the handler again.
   * @default '30s'
   */
  lockTtl?: Duration | undefined;
  /**
   * A sink (`@rediware/core/prometheus`, `@rediware/core/opentelemetry`, or your own) that gets the
   * counters of `store.metrics()` as `rediware_idempotency_<name>_total`. `metrics()` returns the
   * totals either way.
   * @default undefined
   */
  metrics?: MetricsSink | undefined;
}

/** What one route does with the `Idempotency-Key` header; `Req` is the framework's request. */
export interface IdempotencyRouteOptions<Req> {
  /**
   * Answer a request without an `Idempotency-Key` with 400. When false, such a request runs
   * as if the route had no idempotency.
   * @default false
   */
  required?: boolean | undefined;
  /**
   * How long a completed response is replayed.
   * @default '24h'
   */
  ttl?: Duration | undefined;
  /**
   * How long a retry that arrives while the first request runs waits for its response before it
   * is answered 409. 0 answers 409 at once.
   * @default 0
   */
  wait?: Duration | undefined;
  /**
   * Whose keys these are: the authenticated user or tenant, so one client's key never replays
   * another's response. A multi-tenant API must set it.
   * @default every request shares one scope
   */
  scope?: ((req: Req) => string | Promise<string>) | undefined;
  /**
   * What makes two requests the same: a retry with the same key and another fingerprint is
   * answered 422.
   * @default the method, the URL (path and query) and a SHA-256 of the parsed body
   */
  fingerprint?: ((req: Req) => string | Promise<string>) | undefined;
  /**
   * The largest response body stored, in bytes. A larger response is recorded without its body:
   * a retry gets its status and headers and an empty body.
   * @default 1048576 (1 MiB)
   */
  maxBodySize?: number | undefined;
  /**
   * Which statuses are stored and replayed. Any other releases the key, so a retry runs the
   * handler again.
   * @default every status but 5xx and 429
   */
  storeStatus?: ((status: number) => boolean) | undefined;
}

/** Validated, frozen store options. */
export interface StoreConfig {
  readonly redis: RedisClient | undefined;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly lockTtlMs: number;
  readonly metrics: MetricsSink | undefined;
}

/** Validated, frozen route options. */
export interface RouteConfig<Req> {
  readonly required: boolean;
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly scope: (req: Req) => string | Promise<string>;
  readonly fingerprint: (req: Req) => string | Promise<string>;
  readonly maxBodySize: number;
  readonly storeStatus: (status: number) => boolean;
}

const storeKeys = ['redis', 'prefix', 'timeout', 'lockTtl', 'metrics'] as const;
const routeKeys = ['required', 'ttl', 'wait', 'scope', 'fingerprint', 'maxBodySize', 'storeStatus'] as const;

/** Not stored by default: a server error or a 429 is worth retrying. */
export const storedByDefault = (status: number): boolean => status < 500 && status !== 429;

export function parseStoreOptions(options: unknown = {}, extraKeys: readonly string[] = []): StoreConfig {
  const given = checkObject(options, 'options');
  checkKnownKeys(given, [...storeKeys, ...extraKeys], 'options');
  return Object.freeze({
    redis: given.redis as RedisClient | undefined,
    prefix: given.prefix === undefined ? 'rw:' : checkPrefix(given.prefix),
    timeoutMs:
      given.timeout === undefined ? DEFAULT_TIMEOUT_MS : parsePositiveDuration(given.timeout, 'timeout'),
    lockTtlMs: given.lockTtl === undefined ? 30_000 : parsePositiveDuration(given.lockTtl, 'lockTtl'),
    metrics: checkMetricsSink(given.metrics),
  });
}

/**
 * Validates a route's options; `scope` names them in errors (`idempotency`, `config.idempotency`).
 * `fingerprint` is the adapter's default, which knows its framework's request.
 */
export function parseRouteOptions<Req>(
  options: unknown,
  scope: string,
  fingerprint: (req: Req) => string,
  extraKeys: readonly string[] = [],
): RouteConfig<Req> {
  const given = checkObject(options, scope);
  checkKnownKeys(given, [...routeKeys, ...extraKeys], scope);
  const optional = <F extends (...args: never[]) => unknown>(value: unknown, name: string, fallback: F): F =>
    value === undefined ? fallback : checkFunction<F>(value, `${scope}.${name}`);
  return Object.freeze({
    required: given.required === undefined ? false : checkBoolean(given.required, `${scope}.required`),
    ttlMs: given.ttl === undefined ? 86_400_000 : parsePositiveDuration(given.ttl, `${scope}.ttl`),
    waitMs: given.wait === undefined ? 0 : parseDuration(given.wait, `${scope}.wait`),
    scope: optional(given.scope, 'scope', () => ''),
    fingerprint: optional(given.fingerprint, 'fingerprint', fingerprint),
    maxBodySize:
      given.maxBodySize === undefined
        ? 1_048_576
        : checkPositiveInteger(given.maxBodySize, `${scope}.maxBodySize`),
    storeStatus: optional(given.storeStatus, 'storeStatus', storedByDefault),
  });
}
