import type { CoreEvents } from '@rediware/core';
import type { WriteBehindOptions } from '../write-behind/options';
import type { WriteBehindEvents, WriteBehindWorker } from '../write-behind/worker';
import type { CacheMetrics } from './cache-metrics';
import type { LoadContext } from './load-context';
import type { MsetItem } from './mset-items';
import type { CacheConfig, EntryOptions, KeyOptions } from './options';

/** What `cache.stats()` counts since the cache was created. */
export interface CacheStats {
  /** Calls answered with a fresh value (from L1, Redis, or another process's loader). */
  hits: number;
  /** Calls that found nothing usable: `get` returned undefined, or `wrap` ran the loader. */
  misses: number;
  /** `wrap` calls answered with a stale value (stale-while-revalidate or stale-if-error). */
  stale: number;
  /** Redis failures and loader failures. */
  errors: number;
}

/** How a `wrap` call was answered: the `X-Cache` of the response cache. */
export type WrapStatus = 'hit' | 'stale' | 'miss';

/** What `wrapWithStatus` resolves with. */
export interface WrapResult<T> {
  /** The value, cached or just loaded. */
  value: T;
  /** How the call was answered. */
  status: WrapStatus;
  /** How old the value is, in ms (0 for a value just loaded). */
  ageMs: number;
}

/** Loads the value of one key on a miss (from the database); `context` can change its ttl and tags. */
export type Loader<T> = (context: LoadContext) => T | Promise<T>;

/** Options of `wrap`, `wrapWithStatus` and `wrapMany`: the entry's ttl, tags and namespace. */
export type WrapOptions = EntryOptions;
/** Options of `set`, `setMany` and `writeBehind`: the entry's ttl, tags and namespace. */
export type SetOptions = EntryOptions;

/** The events of a cache: the core ones, the write-behind ones, `oversize` and `loaderError`. */
export interface CacheEvents extends CoreEvents, WriteBehindEvents {
  /** A value was not cached because its serialized size is over `maxValueSize`. */
  oversize: [
    {
      /** The entry's key. */
      key: string;
      /** The serialized size, in bytes. */
      size: number;
      /** `maxValueSize`. */
      limit: number;
    },
  ];
  /** A loader failed; `servedStale` says whether a stale value was served instead (stale-if-error). */
  loaderError: [
    {
      /** The entry's key. */
      key: string;
      /** What the loader threw. */
      error: unknown;
      /** A stale value was served instead. */
      servedStale: boolean;
      /** The loader ran in the background (a refresh), not for a waiting caller. */
      background: boolean;
    },
  ];
}

/** A data cache, from `createCache`. */
export interface Cache {
  /** The validated options. */
  readonly config: CacheConfig;
  /** Cache-aside: the cached value, else `loader`'s, run once for concurrent callers across processes. */
  wrap<T>(key: string, loader: Loader<T>, options?: WrapOptions): Promise<T>;
  /** `wrap` that also says how the call was answered and the value's age. */
  wrapWithStatus<T>(key: string, loader: Loader<T>, options?: WrapOptions): Promise<WrapResult<T>>;
  /** The fresh value, or undefined (also when Redis fails). */
  get<T = unknown>(key: string, options?: KeyOptions): Promise<T | undefined>;
  /** Write-through: stores `value` (after the caller wrote its database). Resolves when Redis fails. */
  set(key: string, value: unknown, options?: SetOptions): Promise<void>;
  /**
   * `get` for many keys: L1 first, then one Redis round trip per slot group (one on a standalone
   * server). Results are in the order of `keys`; a miss is undefined.
   */
  getMany<T = unknown>(keys: readonly string[], options?: KeyOptions): Promise<Array<T | undefined>>;
  /** `set` for many `[key, value]` pairs, sharing `options`; a later pair for a key wins. */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>, options?: SetOptions): Promise<void>;
  /**
   * `wrap` for many keys: one `loadMany` call for every key without a usable entry, with `wrap`'s
   * single flight per key (in this process and across processes). Results are in the order of `keys`.
   */
  wrapMany<T>(
    keys: readonly string[],
    loadMany: LoadMany<T>,
    options?: WrapOptions,
  ): Promise<Array<T | undefined>>;
  /** Deletes the entry everywhere (Redis and every instance's L1). Rejects when Redis fails. */
  delete(key: string, options?: KeyOptions): Promise<void>;
  /** `getMany` under cache-manager's name: values in the order of `keys`, undefined for a miss. */
  mget<T = unknown>(keys: readonly string[], options?: KeyOptions): Promise<Array<T | undefined>>;
  /**
   * `setMany` under cache-manager's name and shape: `{ key, value, ttl? }` items, each with its own
   * ttl (else `options.ttl`, else the cache's); items that share a ttl share a round trip.
   */
  mset(list: readonly MsetItem[], options?: SetOptions): Promise<void>;
  /** `delete` under cache-manager's name. Rejects when Redis fails. */
  del(key: string, options?: KeyOptions): Promise<void>;
  /**
   * When the fresh value of `key` stops being fresh, as a timestamp in ms on this process's clock
   * (cache-manager's `ttl(key)`); undefined when there is no fresh value (or Redis failed).
   */
  ttl(key: string, options?: KeyOptions): Promise<number | undefined>;
  /**
   * Write-behind: caches `value` and queues it, durably, for `startWriteBehind`'s flush to the
   * database. Resolves once the write is in a Redis Stream; rejects (and caches nothing) when not.
   */
  writeBehind(key: string, value: unknown, options?: SetOptions): Promise<void>;
  /** Starts a worker that drains the write-behind streams into `flush`, at least once per write. */
  startWriteBehind(options: WriteBehindOptions): WriteBehindWorker;
  /** Every entry written with one of `tags` becomes a miss. Rejects when Redis fails. */
  invalidate(selector: { tags: readonly string[] }): Promise<void>;
  /** Every key of `namespace` becomes a miss at once. Rejects when Redis fails. */
  bumpVersion(namespace: string): Promise<void>;
  /** Hits, misses, stale answers and errors since the cache was created. */
  stats(): CacheStats;
  /** Totals of every counter since the cache was created (the same ones the `metrics` sink gets). */
  metrics(): CacheMetrics;
  /**
   * Subscribes to the invalidation bus now (it is otherwise done on first use) and resolves with
   * true once subscribed, false when Redis failed (reported; retried on later calls). The L1 tier is
   * filled only while subscribed.
   */
  ready(): Promise<boolean>;
  /** Adds `listener` for `event`. */
  on<K extends keyof CacheEvents & string>(event: K, listener: (...args: CacheEvents[K]) => void): this;
  /** Removes `listener` from `event`. */
  off<K extends keyof CacheEvents & string>(event: K, listener: (...args: CacheEvents[K]) => void): this;
  /** Stops write-behind workers, waits for background refreshes, unsubscribes; never closes the Redis client. */
  close(): Promise<void>;
}

/** What the response cache reads synchronously from the L1 tier (not part of the public `Cache`). */
export interface LocalHits {
  /**
   * A fresh L1 entry of `key` (a value stored as bytes), decoded by `decode` once per stored value
   * rather than per hit, and passed with its age to `use`; what `use` returns is the result. Counted
   * as a hit only when `use` returns something; undefined (no fresh entry, or `use` declined): ask
   * `wrapWithStatus`. The decoded value is shared by every hit of that entry: `use` must not change it.
   */
  localHit<D, R>(
    key: string,
    decode: (bytes: Buffer) => D,
    use: (decoded: D, ageMs: number) => R | undefined,
  ): R | undefined;
}

/** What `loadMany` receives besides the keys. */
export interface LoadManyContext {
  /** True when this load refreshes stale entries in the background. */
  readonly refreshing: boolean;
}

/**
 * Loads the values of the keys `wrapMany` found no usable entry for, in one call: an array in the
 * order of `keys` (same length), or a Map by key. `undefined` (or a key absent from the Map) is
 * returned as undefined and not cached.
 */
export type LoadMany<T> = (
  keys: string[],
  context: LoadManyContext,
) =>
  | ReadonlyArray<T | undefined>
  | ReadonlyMap<string, T>
  | Promise<ReadonlyArray<T | undefined> | ReadonlyMap<string, T>>;
