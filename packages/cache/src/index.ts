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
} from './engine/cache';
export { type CacheMetrics, cacheMetricSpecs, responseCacheMetricSpecs } from './engine/cache-metrics';
export type { LoadContext } from './engine/load-context';
export type { MsetItem } from './engine/mset-items';
export type { CacheConfig, CacheOptions, EntryOptions, KeyOptions, L1Options } from './engine/options';
export { jsonSerializer, type Serializer } from './engine/value-codec';
export type { LoadMany, LoadManyContext } from './engine/wrap-many';
export type { WriteBehindOptions, WriteBehindWrite } from './write-behind/options';
export type { WriteBehindEvents, WriteBehindWorker } from './write-behind/worker';
