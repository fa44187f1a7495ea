/**
 * The data cache engine (`createCache`): cache-aside with single flight, tags, versioned
 * namespaces, batches, an optional L1 and write-behind.
 *
 * @module @rediware/cache
 */
export {
  type Cache,
  type CacheEvents,
  type CacheStats,
  createCache,
  type Loader,
  type SetOptions,
  type WrapOptions,
  type WrapResult,
  type WrapStatus,
} from './cache';
export { type CacheMetrics, cacheMetricSpecs, responseCacheMetricSpecs } from './cache-metrics';
export type { LoadContext } from './load-context';
export type { MsetItem } from './mset-items';
export type { CacheConfig, CacheOptions, EntryOptions, KeyOptions, L1Options } from './options';
export { jsonSerializer, type Serializer } from './value-codec';
export type { LoadMany, LoadManyContext } from './wrap-many';
export type { WriteBehindOptions, WriteBehindWrite } from './write-behind-options';
export type { WriteBehindEvents, WriteBehindWorker } from './write-behind-worker';
