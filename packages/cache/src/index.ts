/**
 * The data cache engine (`createCache`): cache-aside with single flight, tags, versioned
 * namespaces, batches, an optional L1 and write-behind.
 *
 * @module @rediware/cache
 */

export { jsonSerializer, type Serializer } from './codec/value-codec';
export { createCache } from './engine/cache';
export type {
  Cache,
  CacheEvents,
  CacheStats,
  Loader,
  LoadMany,
  LoadManyContext,
  SetOptions,
  WrapOptions,
  WrapResult,
  WrapStatus,
} from './engine/cache-api';
export { type CacheMetrics, cacheMetricSpecs } from './engine/cache-metrics';
export type { LoadContext } from './engine/load-context';
export type { MsetItem } from './engine/mset-items';
export type { CacheConfig, CacheOptions, EntryOptions, KeyOptions, L1Options } from './engine/options';
export { responseCacheMetricSpecs } from './http/response-cache-metrics';
export type { WriteBehindOptions, WriteBehindWrite } from './write-behind/options';
export type { WriteBehindEvents, WriteBehindWorker } from './write-behind/worker';
