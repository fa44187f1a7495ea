/**
 * The shared core of every rediware plugin: the Redis client driver, Lua scripts, keys,
 * the memory backend, durations, errors, the fail policy and metrics.
 *
 * @module @rediware/core
 */
export type { Backend, RunOptions, Subscription } from './backend';
export { type HealthChange, PROBE_INTERVAL_MS } from './client-health';
export { type Clock, luaClock, systemClock } from './clock';
export { type CreateBackendOptions, createBackend, DEFAULT_TIMEOUT_MS } from './create-backend';
export { withDeadline } from './deadline';
export { classifyRedisError, isRedisError, isRedisOutage } from './driver/classify-error';
export type {
  IoRedisClusterLike,
  IoRedisLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  RedisClient,
} from './driver/redis-client';
export { type Duration, type DurationUnit, parseDuration, parsePositiveDuration } from './duration';
export { type RediwareErrorCode, rediwareErrorCodes } from './error-codes';
export {
  LockError,
  type ProblemDetails,
  RedisCommandError,
  RedisError,
  RedisNotConnectedError,
  RedisRefusedError,
  RedisTimeoutError,
  RedisUnavailableError,
  RediwareConfigError,
  RediwareError,
  type RediwareErrorOptions,
} from './errors';
export { type CoreEvents, type FailureEvent, RediwareEmitter } from './events';
export { type FailPolicy, withFailPolicy } from './fail-policy';
export { type Indexed, IndexedSet } from './indexed-set';
export { checkPrefix, createKeyspace, escapeGlob, hashTagOf, identityTag, type Keyspace } from './keys';
export { MemoryBackend, type MemoryBackendOptions } from './memory-backend';
export { MemoryStore, type MemoryStoreOptions, type StoredValue } from './memory-store';
export {
  bindCounters,
  bindHistogram,
  type Counter,
  type CounterSpec,
  checkMetricsSink,
  countersSnapshot,
  EngineCounter,
  type EngineCounters,
  EngineHistogram,
  type Histogram,
  type HistogramSpec,
  type MetricLabels,
  type MetricsSink,
  type MetricUnit,
} from './metrics';
export {
  checkBoolean,
  checkFunction,
  checkKnownKeys,
  checkNonNegativeInteger,
  checkObject,
  checkOneOf,
  checkPositiveInteger,
  checkPositiveNumber,
  checkString,
} from './option-checks';
export { type RateLimitHeaderName, rateLimitHeaderNames } from './rate-limit-header-names';
export { replayableHeaders } from './replayable-headers';
export { looksMisspelt, type RouteIdentity, warnMisspeltRouteConfig } from './route-config-typo';
export {
  type CommandDefinition,
  defineCommand,
  defineScript,
  type MemoryScriptContext,
  type Script,
  type ScriptArg,
  type ScriptDefinition,
} from './script';
export { groupBySlot } from './slot-groups';
export { slotOf, slotTags } from './slot-tags';
export { atTurnEnd } from './turn-end';
