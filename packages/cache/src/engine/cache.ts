import { countersSnapshot } from '@rediware/core';
import type { WriteBehindOptions } from '../write-behind/options';
import type { WriteBehindWorker } from '../write-behind/worker';
import { checkBatchEntries, checkBatchKeys } from './batch-keys';
import { getMany } from './batch-read';
import { setMany } from './batch-write';
import type {
  Cache,
  CacheEvents,
  CacheStats,
  Loader,
  LoadMany,
  LocalHits,
  SetOptions,
  WrapOptions,
  WrapResult,
} from './cache-api';
import type { CacheMetrics } from './cache-metrics';
import { CacheState } from './cache-state';
import { deleteEntry } from './entry-delete';
import { freshUntil, getValue } from './get';
import { bumpNamespace, invalidateTags } from './invalidation';
import type { GuardedLoadContext } from './load-context';
import { localHit } from './local-hit';
import { type MsetItem, msetBatches } from './mset-items';
import { type CacheConfig, type CacheOptions, type KeyOptions, parseOptions } from './options';
import { setValue } from './set';
import { wrapOne } from './wrap';
import { wrapMany } from './wrap-many';
import { queueWrite, startWorker } from './write-behind-wiring';

/** A data cache; throws a RediwareConfigError at once for a bad option. */
export function createCache(options: CacheOptions): Cache {
  return new RedisCache(parseOptions(options));
}

/**
 * `wrapWithStatus` as the response cache calls it: the context its loaders get is always a
 * LoaderContext, which can also guard the write.
 */
interface GuardedWrap {
  wrapWithStatus<T>(
    key: string,
    loader: (context: GuardedLoadContext) => T | Promise<T>,
    options?: WrapOptions,
  ): Promise<WrapResult<T>>;
}

/** The engine with its synchronous L1 reads and guarded writes, for the response cache. */
export function createCacheWithLocalHits(options: CacheOptions): Cache & LocalHits & GuardedWrap {
  return new RedisCache(parseOptions(options));
}

/** The public cache object: each call hands the instance's state to the module that does the work. */
class RedisCache implements Cache, LocalHits {
  readonly config: CacheConfig;
  readonly #state: CacheState;

  constructor(config: CacheConfig) {
    this.config = config;
    this.#state = new CacheState(config);
  }

  ready(): Promise<boolean> {
    return this.#state.bus.ensure();
  }

  on<K extends keyof CacheEvents & string>(event: K, listener: (...args: CacheEvents[K]) => void): this {
    this.#state.events.on(event, listener);
    return this;
  }

  off<K extends keyof CacheEvents & string>(event: K, listener: (...args: CacheEvents[K]) => void): this {
    this.#state.events.off(event, listener);
    return this;
  }

  stats(): CacheStats {
    const { hits, misses, stale, errors } = this.metrics();
    return { hits, misses, stale, errors };
  }

  metrics(): CacheMetrics {
    return countersSnapshot(this.#state.metrics);
  }

  async wrap<T>(key: string, loader: Loader<T>, options: WrapOptions = {}): Promise<T> {
    return (await this.wrapWithStatus(key, loader, options)).value;
  }

  wrapWithStatus<T>(
    key: string,
    loader: (context: GuardedLoadContext) => T | Promise<T>,
    options: WrapOptions = {},
  ): Promise<WrapResult<T>> {
    // Every context the engine hands a loader is a LoaderContext: a GuardedLoadContext.
    return wrapOne(this.#state, key, loader as Loader<T>, options);
  }

  localHit<D, R>(
    key: string,
    decode: (bytes: Buffer) => D,
    use: (decoded: D, ageMs: number) => R | undefined,
  ): R | undefined {
    return localHit(this.#state, key, decode, use);
  }

  async get<T = unknown>(key: string, options: KeyOptions = {}): Promise<T | undefined> {
    return (await getValue(this.#state, key, options)) as T | undefined;
  }

  set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    return setValue(this.#state, key, value, options);
  }

  async getMany<T = unknown>(
    keys: readonly string[],
    options: KeyOptions = {},
  ): Promise<Array<T | undefined>> {
    return (await getMany(this.#state, checkBatchKeys(keys, 'getMany'), options)) as Array<T | undefined>;
  }

  async setMany(entries: ReadonlyArray<readonly [string, unknown]>, options: SetOptions = {}): Promise<void> {
    return setMany(this.#state, checkBatchEntries(entries), options);
  }

  async wrapMany<T>(
    keys: readonly string[],
    loadMany: LoadMany<T>,
    options: WrapOptions = {},
  ): Promise<Array<T | undefined>> {
    const values = await wrapMany(this.#state, checkBatchKeys(keys, 'wrapMany'), loadMany, options);
    return values as Array<T | undefined>;
  }

  writeBehind(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    return queueWrite(this.#state, key, value, options);
  }

  startWriteBehind(options: WriteBehindOptions): WriteBehindWorker {
    return startWorker(this.#state, options);
  }

  mget<T = unknown>(keys: readonly string[], options?: KeyOptions): Promise<Array<T | undefined>> {
    return this.getMany<T>(keys, options);
  }

  async mset(list: readonly MsetItem[], options: SetOptions = {}): Promise<void> {
    const batches = [...msetBatches(list)];
    await Promise.all(
      batches.map(([ttl, entries]) =>
        this.setMany(entries, ttl === undefined ? options : { ...options, ttl }),
      ),
    );
  }

  del(key: string, options?: KeyOptions): Promise<void> {
    return this.delete(key, options);
  }

  ttl(key: string, options: KeyOptions = {}): Promise<number | undefined> {
    return freshUntil(this.#state, key, options);
  }

  delete(key: string, options: KeyOptions = {}): Promise<void> {
    return deleteEntry(this.#state, key, options);
  }

  invalidate(selector: { tags: readonly string[] }): Promise<void> {
    return invalidateTags(this.#state, selector);
  }

  bumpVersion(namespace: string): Promise<void> {
    return bumpNamespace(this.#state, namespace);
  }

  close(): Promise<void> {
    return this.#state.close();
  }
}
