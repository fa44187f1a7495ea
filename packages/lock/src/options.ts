import {
  checkBoolean,
  checkFunction,
  checkKnownKeys,
  checkMetricsSink,
  checkObject,
  checkPositiveInteger,
  checkPositiveNumber,
  checkPrefix,
  DEFAULT_TIMEOUT_MS,
  type Duration,
  type MetricsSink,
  parseDuration,
  parsePositiveDuration,
  type RedisClient,
  RediwareConfigError,
} from '@rediware/core';

/** Options of {@link @rediware/lock!createLocker | createLocker}. */
export interface LockerOptions {
  /**
   * A connected node-redis client or cluster, or an ioredis `Redis` or `Cluster`. Omitted: the
   * in-process memory backend (one process only).
   * @default undefined
   */
  redis?: RedisClient | undefined;
  /**
   * Start of every key and channel: keys are `<prefix>lock:{<key>}:lock` and
   * `<prefix>lock:{<slot tag>}:slot-fence` (one fencing counter per cluster slot).
   * @default 'rw:'
   */
  prefix?: string;
  /**
   * Deadline of every Redis call; a slower answer fails with `RedisTimeoutError`.
   * @default '500ms'
   */
  timeout?: Duration;
  /**
   * Auto-extension runs after this fraction of the ttl has passed since the last extension
   * (between 0 and 1; 1/3 leaves two more tries before the lock would expire).
   * @default 1/3
   */
  extendRatio?: number;
  /**
   * A waiter is woken by a release message; if none comes it retries anyway after the holder's
   * remaining time, at most this long (plus jitter), so a lost message or an expired holder never
   * leaves it waiting.
   * @default '500ms'
   */
  retryInterval?: Duration;
  /**
   * Where the locker's counters go (acquired, waited, busy, timeouts, lost, errors) and the wait-time
   * histogram: `createPrometheusMetrics()` from `@rediware/core/prometheus`,
   * `createOpenTelemetryMetrics()` from `@rediware/core/opentelemetry`, or your own MetricsSink.
   * `locker.metrics()` returns the totals either way.
   * @default undefined: counted in the locker only
   */
  metrics?: MetricsSink | undefined;
}

/** Options of one `acquire()` or `withLock()`. */
export interface AcquireOptions {
  /** How long the lock is held unless extended or released. Required. */
  ttl: Duration;
  /**
   * How long to wait for a held lock: 0 fails at once with `LockBusyError`; otherwise the wait
   * ends with `LockTimeoutError`. `Infinity` waits until the lock is taken, the `signal` aborts
   * or the locker is closed (redlock's `retryCount: -1`).
   * @default 0
   */
  wait?: Duration | undefined;
  /**
   * Semaphore mode: up to this many holders at once per key. Every caller of one key must use the
   * same limit.
   * @default 1
   */
  limit?: number | undefined;
  /**
   * Semaphore mode: how many of the key's `limit` slots this holder takes at once, all or none
   * (redis-semaphore's MultiSemaphore). At most `limit`.
   * @default 1
   */
  permits?: number | undefined;
  /**
   * Extend the lock automatically while it is held (every `extendRatio` × ttl), until release.
   * @default true
   */
  autoExtend?: boolean | undefined;
  /**
   * This lock's auto-extension runs after this fraction of the ttl (between 0 and 1), instead of
   * the locker's `extendRatio`. redlock's `automaticExtensionThreshold` t is `1 - t / ttl`,
   * redis-semaphore's `refreshInterval` r is `r / ttl`.
   * @default the locker's extendRatio (1/3)
   */
  extendRatio?: number | undefined;
  /**
   * Cancels the wait: `acquire()` rejects with `LockAbortedError`.
   * @default undefined
   */
  signal?: AbortSignal | undefined;
}

/** Validated, frozen locker configuration. */
export interface LockerConfig {
  readonly redis: RedisClient | undefined;
  readonly prefix: string;
  readonly timeoutMs: number;
  readonly extendRatio: number;
  readonly retryIntervalMs: number;
  readonly metrics: MetricsSink | undefined;
}

/** Validated options of one acquisition. */
export interface AcquireConfig {
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly limit: number;
  readonly permits: number;
  readonly autoExtend: boolean;
  /** Undefined: the locker's. */
  readonly extendRatio: number | undefined;
  readonly signal: AbortSignal | undefined;
}

const lockerKeys = ['redis', 'prefix', 'timeout', 'extendRatio', 'retryInterval', 'metrics'] as const;
const acquireKeys = ['ttl', 'wait', 'limit', 'permits', 'autoExtend', 'extendRatio', 'signal'] as const;

export function parseOptions(options: unknown = {}): LockerConfig {
  const given = checkObject(options, 'options');
  checkKnownKeys(given, lockerKeys, 'options');
  const extendRatio = given.extendRatio === undefined ? 1 / 3 : parseExtendRatio(given.extendRatio);
  return Object.freeze({
    redis: given.redis as RedisClient | undefined,
    prefix: given.prefix === undefined ? 'rw:' : checkPrefix(given.prefix),
    timeoutMs:
      given.timeout === undefined ? DEFAULT_TIMEOUT_MS : parsePositiveDuration(given.timeout, 'timeout'),
    extendRatio,
    retryIntervalMs:
      given.retryInterval === undefined ? 500 : parsePositiveDuration(given.retryInterval, 'retryInterval'),
    metrics: checkMetricsSink(given.metrics),
  });
}

export function parseAcquireOptions(options: unknown): AcquireConfig {
  const given = checkObject(options, 'options');
  checkKnownKeys(given, acquireKeys, 'options');
  if (given.ttl === undefined) throw new RediwareConfigError('ttl', 'a duration (it is required)', undefined);
  const signal = given.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new RediwareConfigError('signal', 'an AbortSignal', signal);
  }
  const limit = given.limit === undefined ? 1 : checkPositiveInteger(given.limit, 'limit');
  const permits = given.permits === undefined ? 1 : checkPositiveInteger(given.permits, 'permits');
  if (permits > limit) throw new RediwareConfigError('permits', `at most limit (${limit})`, permits);
  return Object.freeze({
    ttlMs: parsePositiveDuration(given.ttl, 'ttl'),
    waitMs: parseWait(given.wait),
    limit,
    permits,
    autoExtend: given.autoExtend === undefined ? true : checkBoolean(given.autoExtend, 'autoExtend'),
    extendRatio: given.extendRatio === undefined ? undefined : parseExtendRatio(given.extendRatio),
    signal,
  });
}

function parseExtendRatio(value: unknown): number {
  const ratio = checkPositiveNumber(value, 'extendRatio');
  if (ratio >= 1) throw new RediwareConfigError('extendRatio', 'a number between 0 and 1', ratio);
  return ratio;
}

/** `wait` of an acquisition: a duration, or `Infinity` (no deadline). */
function parseWait(wait: unknown): number {
  if (wait === undefined) return 0;
  return wait === Number.POSITIVE_INFINITY ? wait : parseDuration(wait, 'wait');
}

/** A value that may depend on the request. */
export type PerRequest<T, Req> = T | ((req: Req) => T | Promise<T>);

/** What a guard locks for one route; `Req` is the framework's request. */
export interface GuardRouteOptions<Req> {
  /** The key (or keys, sharing one hash tag) to lock for this request. Required. */
  key: (req: Req) => string | readonly string[] | Promise<string | readonly string[]>;
  /** How long the lock is held; auto-extended while the handler runs. Required. */
  ttl: PerRequest<Duration, Req>;
  /**
   * How long a request waits for a held lock before it is refused.
   * @default 0
   */
  wait?: PerRequest<Duration, Req> | undefined;
  /**
   * Semaphore mode: up to this many requests hold the key at once.
   * @default 1
   */
  limit?: number | undefined;
  /**
   * Extend the lock while the handler runs.
   * @default true
   */
  autoExtend?: boolean | undefined;
  /**
   * Status of a refused (busy) or lost request: 409 Conflict, or 423 Locked.
   * @default 409
   */
  statusCode?: number | undefined;
}

/** Validated route options of a guard. */
export interface GuardRouteConfig<Req> {
  readonly key: (req: Req) => string | readonly string[] | Promise<string | readonly string[]>;
  readonly ttl: (req: Req) => Duration | Promise<Duration>;
  readonly wait: (req: Req) => Duration | Promise<Duration>;
  readonly limit: number;
  readonly autoExtend: boolean;
  readonly statusCode: number;
}

const routeKeys = ['key', 'ttl', 'wait', 'limit', 'autoExtend', 'statusCode'] as const;

/** Validates a guard's route options; `scope` names them in errors (`lockGuard`, `config.lock`). */
export function parseGuardRouteOptions<Req>(
  options: unknown,
  scope: string,
  extraKeys: readonly string[] = [],
): GuardRouteConfig<Req> {
  const given = checkObject(options, scope);
  checkKnownKeys(given, [...routeKeys, ...extraKeys], scope);
  const statusCode =
    given.statusCode === undefined ? 409 : checkPositiveInteger(given.statusCode, `${scope}.statusCode`);
  if (statusCode < 400 || statusCode > 499) {
    throw new RediwareConfigError(`${scope}.statusCode`, 'a 4xx status such as 409 or 423', statusCode);
  }
  return Object.freeze({
    key: checkFunction<GuardRouteConfig<Req>['key']>(given.key, `${scope}.key`),
    ttl: perRequestDuration<Req>(given.ttl, `${scope}.ttl`, parsePositiveDuration),
    wait: perRequestDuration<Req>(given.wait ?? 0, `${scope}.wait`, parseDuration),
    limit: given.limit === undefined ? 1 : checkPositiveInteger(given.limit, `${scope}.limit`),
    autoExtend: given.autoExtend === undefined ? true : checkBoolean(given.autoExtend, `${scope}.autoExtend`),
    statusCode,
  });
}

/** A static duration is checked now; a function's result is checked by acquire() per request. */
function perRequestDuration<Req>(
  value: unknown,
  option: string,
  parse: (value: unknown, option: string) => number,
): (req: Req) => Duration | Promise<Duration> {
  if (typeof value === 'function') return value as (req: Req) => Duration | Promise<Duration>;
  const ms = parse(value, option);
  return () => ms;
}
