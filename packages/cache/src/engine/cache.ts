import { randomUUID } from 'node:crypto';
import {
  type Backend,
  bindCounters,
  countersSnapshot,
  createBackend,
  createKeyspace,
  type EngineCounters,
  isRedisError,
  type Keyspace,
  RediwareEmitter,
  RediwareError,
  withFailPolicy,
} from '@rediware/core';
import { decodeValue, type EncodedValue, encodeValue } from '../codec/value-codec';
import { parseWriteBehindOptions, type WriteBehindOptions } from '../write-behind/options';
import { WriteBehindQueue } from '../write-behind/queue';
import { startWriteBehindWorker, type WriteBehindWorker } from '../write-behind/worker';
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
  WrapStatus,
} from './cache-api';
import type { CacheInternals } from './cache-internals';
import { type CacheMetrics, cacheMetricSpecs } from './cache-metrics';
import { lifetimeOf } from './entry-lifetime';
import { type BusMessage, InvalidationBus } from './invalidation-bus';
import { type L1Fill, L1Tier } from './l1-tier';
import { LoaderContext } from './load-context';
import { awaitLoader, softTimedOut } from './loader-timeouts';
import type { Location } from './location';
import { type MsetItem, msetBatches } from './mset-items';
import {
  type CacheConfig,
  type CacheOptions,
  type EntryPolicy,
  type KeyOptions,
  parseEntryOptions,
  parseNamespace,
  parseOptions,
  parseTags,
} from './options';
import type { Outcome } from './outcome';
import { entryOf, localTime, type Read } from './read';
import { refreshAt } from './refresh-ahead';
import { acquireLockScript } from './scripts/acquire-lock-script';
import { deleteEntryScript } from './scripts/delete-entry-script';
import { readEntryScript } from './scripts/read-entry-script';
import { releaseLockScript } from './scripts/release-lock-script';
import { writeEntryScript } from './scripts/write-entry-script';
import { SingleFlight } from './single-flight';
import { encodeStamps, freshnessOf, type StampRef, type StoredEntry } from './stored-entry';
import { type CapturedStamps, VersionStamps } from './version-stamps';
import { recheckMs, WakeSignals } from './wake-signals';
import { wrapMany } from './wrap-many';

/** A data cache; throws a RediwareConfigError at once for a bad option. */
export function createCache(options: CacheOptions): Cache {
  return new RedisCache(parseOptions(options));
}

/** The engine with its synchronous L1 reads, for the response cache. */
export function createCacheWithLocalHits(options: CacheOptions): Cache & LocalHits {
  return new RedisCache(parseOptions(options));
}

class RedisCache implements Cache, LocalHits {
  readonly config: CacheConfig;
  readonly #backend: Backend;
  readonly #keyspace: Keyspace;
  readonly #stamps: VersionStamps;
  readonly #events = new RediwareEmitter<CacheEvents>();
  readonly #l1: L1Tier | undefined;
  readonly #bus: InvalidationBus;
  readonly #flights = new SingleFlight(() => this.#metrics.coalescedWaits.add());
  readonly #signals = new WakeSignals();
  readonly #background = new Set<Promise<unknown>>();
  readonly #internals: CacheInternals;
  readonly #writeQueue: WriteBehindQueue;
  readonly #writeWorkers = new Set<WriteBehindWorker>();
  readonly #metrics: EngineCounters<keyof typeof cacheMetricSpecs>;
  /** `localHit`'s decoded values, per stored value held by L1 (gone with the entry). */
  readonly #decoded = new WeakMap<EncodedValue, { decode: (bytes: Buffer) => unknown; value: unknown }>();

  constructor(config: CacheConfig) {
    this.config = config;
    this.#metrics = bindCounters(cacheMetricSpecs, config.metrics);
    this.#backend = createBackend({
      redis: config.redis,
      timeout: config.timeout,
      packageName: '@rediware/cache',
      onConnectionError: (error) => {
        this.#busInterrupted();
        this.#events.emit('connectionError', error);
      },
      onSubscriberLost: () => this.#busInterrupted(),
    });
    this.#keyspace = createKeyspace(config.prefix, 'cache');
    this.#stamps = new VersionStamps(this.#backend, this.#keyspace);
    this.#writeQueue = new WriteBehindQueue(this.#backend, this.#keyspace, config.writeBehindStreams);
    this.#l1 = config.l1 ? new L1Tier(config.l1) : undefined;
    this.#bus = new InvalidationBus({
      backend: this.#backend,
      channel: `${this.#keyspace.base}bus`,
      origin: randomUUID(),
      onMessage: (message) => this.#receive(message),
      onFailure: (error, operation) => this.#reportFailure(operation, error, true),
      onVerified: (sentAt) => {
        if (this.#l1?.verified(sentAt)) this.#metrics.l1Resets.add();
      },
      probes: config.l1 && {
        heartbeatMs: config.l1.maxUnverifiedMs === undefined ? undefined : config.l1.maxUnverifiedMs / 4,
      },
    });
    if (this.#l1) this.#bus.start();
    this.#internals = this.#shareInternals();
  }

  /** What the batch operations (batch-read.ts, batch-write.ts, wrap-many.ts) share with this instance. */
  #shareInternals(): CacheInternals {
    return {
      config: this.config,
      backend: this.#backend,
      l1: this.#l1,
      bus: this.#bus,
      flights: this.#flights,
      signals: this.#signals,
      events: this.#events,
      metrics: this.#metrics,
      background: this.#background,
      locate: (key, namespace) => this.#locate(key, namespace),
      stamps: this.#stamps,
      stampKeys: (location, tags) => this.#stampKeys(location, tags),
      encode: (location, value) => this.#encode(location, value),
      beginFill: (location) => this.#beginFill(location),
      fillL1: (fill, read) => this.#fillL1(fill, read),
      release: (location, token) => this.#release(location, token),
      reportFailure: (operation, error, failedOpen) => this.#reportFailure(operation, error, failedOpen),
      count: (status) => this.#count(status),
      valueOf: (outcome) => this.#valueOf(outcome),
    };
  }

  ready(): Promise<boolean> {
    return this.#bus.ensure();
  }

  on<K extends keyof CacheEvents & string>(event: K, listener: (...args: CacheEvents[K]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off<K extends keyof CacheEvents & string>(event: K, listener: (...args: CacheEvents[K]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  stats(): CacheStats {
    const { hits, misses, stale, errors } = this.metrics();
    return { hits, misses, stale, errors };
  }

  metrics(): CacheMetrics {
    return countersSnapshot(this.#metrics);
  }

  async wrap<T>(key: string, loader: Loader<T>, options: WrapOptions = {}): Promise<T> {
    return (await this.wrapWithStatus(key, loader, options)).value;
  }

  async wrapWithStatus<T>(key: string, loader: Loader<T>, options: WrapOptions = {}): Promise<WrapResult<T>> {
    if (typeof loader !== 'function') {
      throw new RediwareError('ERR_RW_CACHE_LOADER', `The loader of wrap('${key}') must be a function.`);
    }
    const location = this.#locate(key, options.namespace);
    const policy = parseEntryOptions(options, this.config);
    this.#bus.start();
    const local = this.#l1?.fresh(location.entryKey);
    const outcome: Outcome = local
      ? { encoded: local.value, value: undefined, status: 'hit', ageMs: Date.now() - local.createdAt }
      : await this.#flights.run(location.entryKey, (leave) =>
          this.#flight(location, loader as Loader<unknown>, policy, leave),
        );
    this.#count(outcome.status);
    return { value: this.#valueOf(outcome) as T, status: outcome.status, ageMs: outcome.ageMs };
  }

  localHit<D, R>(
    key: string,
    decode: (bytes: Buffer) => D,
    use: (decoded: D, ageMs: number) => R | undefined,
  ): R | undefined {
    if (!this.#l1) return undefined;
    this.#bus.start();
    const local = this.#l1.fresh(this.#locate(key, undefined).entryKey);
    if (local?.value.kind !== 'b') return undefined;
    let decoded = this.#decoded.get(local.value);
    if (decoded?.decode !== decode) {
      decoded = { decode, value: decode(local.value.bytes) };
      this.#decoded.set(local.value, decoded);
    }
    const result = use(decoded.value as D, Date.now() - local.createdAt);
    if (result !== undefined) this.#metrics.hits.add();
    return result;
  }

  async get<T = unknown>(key: string, options: KeyOptions = {}): Promise<T | undefined> {
    const location = this.#locate(key, options.namespace);
    this.#bus.start();
    const local = this.#l1?.fresh(location.entryKey);
    if (local) {
      this.#metrics.hits.add();
      return decodeValue(local.value, this.config.serializer) as T;
    }
    const fill = this.#beginFill(location);
    try {
      const read = await this.#read(location, '');
      if (read.freshness === 'fresh' && read.entry) {
        this.#fillL1(fill, read);
        this.#metrics.hits.add();
        return decodeValue(read.entry.value, this.config.serializer) as T;
      }
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('get', error, true);
    } finally {
      if (fill) this.#l1?.abandon(fill);
    }
    this.#metrics.misses.add();
    return undefined;
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    const location = this.#locate(key, options.namespace);
    const policy = parseEntryOptions(options, this.config);
    const encoded = this.#encode(location, value);
    this.#l1?.evictKey(location.entryKey);
    if (!encoded || policy.ttlMs === 0) {
      await this.#deleteQuietly(location);
      return;
    }
    try {
      const stamps = await this.#stamps.settle(
        undefined,
        this.#stampKeys(location, policy.tags),
        lifetimeOf(policy),
      );
      if (stamps) await this.#write(location, encoded, policy, stamps, '');
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('set', error, true);
    }
  }

  async getMany<T = unknown>(
    keys: readonly string[],
    options: KeyOptions = {},
  ): Promise<Array<T | undefined>> {
    return getMany(this.#internals, checkBatchKeys(keys, 'getMany'), options) as Promise<
      Array<T | undefined>
    >;
  }

  async setMany(entries: ReadonlyArray<readonly [string, unknown]>, options: SetOptions = {}): Promise<void> {
    return setMany(this.#internals, checkBatchEntries(entries), options);
  }

  async wrapMany<T>(
    keys: readonly string[],
    loadMany: LoadMany<T>,
    options: WrapOptions = {},
  ): Promise<Array<T | undefined>> {
    return wrapMany(this.#internals, checkBatchKeys(keys, 'wrapMany'), loadMany, options) as Promise<
      Array<T | undefined>
    >;
  }

  /**
   * The stream has its own hash tag and the entry its key's, so on a cluster they are two slots
   * and cannot be one script. The XADD goes first and a failure rejects before the cache changes:
   * a write this promise acknowledges is always in the stream. If the cache write then fails, the
   * write still reaches the database; the failure is reported as for `set`.
   */
  async writeBehind(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    // Bad keys and options throw here, before anything is queued.
    this.#locate(key, options.namespace);
    parseEntryOptions(options, this.config);
    const encoded = encodeValue(value, this.config.serializer);
    if (!encoded) {
      throw new RediwareError(
        'ERR_RW_CACHE_VALUE',
        `writeBehind('${key}'): the serializer cannot store this value.`,
      );
    }
    const namespace = parseNamespace(options.namespace);
    const identity = namespace === undefined ? key : `${namespace}:${key}`;
    await this.#failClosed('writeBehind', this.#writeQueue.append(identity, key, namespace, encoded));
    await this.set(key, value, options);
  }

  startWriteBehind(options: WriteBehindOptions): WriteBehindWorker {
    const worker = startWriteBehindWorker(
      {
        backend: this.#backend,
        queue: this.#writeQueue,
        serializer: this.config.serializer,
        emit: (event, ...args) => this.#events.emit(event, ...(args as CacheEvents[typeof event])),
        reportFailure: (operation, error) => this.#reportFailure(operation, error, false),
      },
      parseWriteBehindOptions(options),
    );
    this.#writeWorkers.add(worker);
    return worker;
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

  async ttl(key: string, options: KeyOptions = {}): Promise<number | undefined> {
    const location = this.#locate(key, options.namespace);
    try {
      const read = await this.#read(location, '');
      if (read.freshness !== 'fresh' || !read.entry) return undefined;
      return read.localNow + (read.entry.freshUntil - read.now);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('ttl', error, true);
      return undefined;
    }
  }

  async delete(key: string, options: KeyOptions = {}): Promise<void> {
    const location = this.#locate(key, options.namespace);
    this.#l1?.evictKey(location.entryKey);
    const deletedAt = await this.#failClosed(
      'delete',
      this.#backend.run(deleteEntryScript, [location.entryKey], []),
    );
    await this.#publish('key', location.entryKey, deletedAt);
  }

  async invalidate(selector: { tags: readonly string[] }): Promise<void> {
    const tags = parseTags(selector?.tags, 'tags');
    const stampKeys = tags.map((tag) => this.#stamps.tagKey(tag));
    await this.#bumpStamps(stampKeys);
  }

  async bumpVersion(namespace: string): Promise<void> {
    const name = parseNamespace(namespace);
    if (name === undefined)
      throw new RediwareError('ERR_RW_CACHE_NAMESPACE', 'bumpVersion needs a namespace.');
    await this.#bumpStamps([this.#stamps.namespaceKey(name)]);
  }

  async close(): Promise<void> {
    // Workers first: they finish their batch while the backend still works.
    await Promise.allSettled([...this.#writeWorkers].map((worker) => worker.stop()));
    await Promise.allSettled([...this.#background]);
    this.#signals.wakeAll();
    await this.#bus.close();
    this.#l1?.clear();
    await this.#backend.close();
  }

  async #bumpStamps(stampKeys: readonly string[]): Promise<void> {
    for (const stampKey of stampKeys) this.#l1?.evictStamp(stampKey);
    await this.#failClosed('invalidate', this.#stamps.bump(stampKeys));
    await Promise.all(stampKeys.map((stampKey) => this.#publish('stamp', stampKey)));
  }

  /** One flight per key and process: hit, stale, or elect one loader across processes. */
  async #flight(
    location: Location,
    loader: Loader<unknown>,
    policy: EntryPolicy,
    leave: () => void,
  ): Promise<Outcome> {
    const token = randomUUID();
    const deadline = Date.now() + this.config.lockWaitMs;
    const subscribed = this.#bus.ensure();
    let waited = false;
    for (;;) {
      const expectation = this.#signals.expect(location.entryKey);
      const fill = this.#beginFill(location);
      let read: Read;
      try {
        read = await this.#read(location, token);
        if (!read.locked && !read.triedLock && read.freshness !== 'fresh' && read.freshness !== 'stale') {
          read.locked =
            (await this.#backend.run(
              acquireLockScript,
              [location.lockKey],
              [token, this.config.lockTtlMs],
            )) === 1;
        }
      } catch (error) {
        expectation.cancel();
        if (fill) this.#l1?.abandon(fill);
        if (!isRedisError(error)) throw error;
        this.#reportFailure('wrap', error, true);
        return this.#loadWithoutRedis(location, loader, policy);
      }
      const { entry } = read;
      if (entry && (read.freshness === 'fresh' || read.freshness === 'stale')) {
        expectation.cancel();
        const ageMs = Math.max(0, read.now - entry.createdAt);
        if (read.freshness === 'fresh') {
          this.#fillL1(fill, read);
          if (read.now >= refreshAt(entry.createdAt, entry.freshUntil, this.config.refreshAhead)) {
            const pending = this.#refreshAhead(location, loader, policy, token, read).catch(() => {});
            this.#background.add(pending);
            void pending.finally(() => this.#background.delete(pending));
          }
          return { encoded: entry.value, value: undefined, status: 'hit', ageMs };
        }
        if (fill) this.#l1?.abandon(fill);
        // The lock came with the read: this caller refreshes, in the background, once across processes.
        if (read.locked) this.#refreshInBackground(location, loader, policy, token, read);
        return { encoded: entry.value, value: undefined, status: 'stale', ageMs };
      }
      if (fill) this.#l1?.abandon(fill);
      const remaining = deadline - Date.now();
      if (read.locked || remaining <= 0) {
        expectation.cancel();
        // Past the wait, call the loader without the lock rather than wait any longer.
        return this.#load(location, loader, policy, read.locked ? token : '', read, false, leave);
      }
      if (!waited) this.#metrics.coalescedWaits.add();
      waited = true;
      await subscribed;
      await expectation.wait(Math.min(remaining, recheckMs * (0.8 + Math.random() * 0.4)));
    }
  }

  /** refreshAhead: the first reader past the point takes the lock and refreshes, once across processes. */
  async #refreshAhead(
    location: Location,
    loader: Loader<unknown>,
    policy: EntryPolicy,
    token: string,
    read: Read,
  ): Promise<void> {
    try {
      const locked = await this.#backend.run(
        acquireLockScript,
        [location.lockKey],
        [token, this.config.lockTtlMs],
      );
      if (locked === 1) this.#refreshInBackground(location, loader, policy, token, read);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('wrap', error, true);
    }
  }

  #refreshInBackground(
    location: Location,
    loader: Loader<unknown>,
    policy: EntryPolicy,
    token: string,
    read: Read,
  ): void {
    const task = this.#load(location, loader, policy, token, read, true).catch(() => {});
    this.#background.add(task);
    void task.finally(() => this.#background.delete(task));
  }

  /**
   * Runs the loader and stores its value. The stamps are read before the loader runs and settled
   * before the write, so after an invalidation that lands while it runs nothing is stored. `token`
   * is the held lock ('' for none), released by the write or, when nothing is written, on its own.
   */
  async #load(
    location: Location,
    loader: Loader<unknown>,
    policy: EntryPolicy,
    token: string,
    read: Read,
    background: boolean,
    /** Called once the loader's value is in: from then on, new callers do not join this flight. */
    leave: () => void = () => {},
  ): Promise<Outcome> {
    let stamps: CapturedStamps | undefined;
    const stampKeys = this.#stampKeys(location, policy.tags);
    try {
      stamps = await this.#stamps.capture(stampKeys);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('wrap', error, true);
    }
    const usable = read.entry && read.freshness !== 'invalid' ? read.entry : undefined;
    const context = new LoaderContext(
      location.key,
      background,
      policy,
      this.config,
      await this.#previousValue(read, usable),
    );
    const startedAt = Date.now();
    const loading = Promise.resolve().then(() => loader(context));
    let value: unknown;
    try {
      const canServeStale = Boolean(usable && !background && localTime(read, usable.errorUntil) > startedAt);
      const settled = await awaitLoader(
        loading,
        this.config,
        `the loader of '${location.key}'`,
        startedAt,
        canServeStale,
      );
      if (settled === softTimedOut && usable) {
        // softTimeout: the caller gets the stale value now; the loader still updates the cache.
        this.#finishLate(location, loading, context, stamps, token, startedAt);
        return {
          encoded: usable.value,
          value: undefined,
          status: 'stale',
          ageMs: Math.max(0, read.now - usable.createdAt),
        };
      }
      value = settled;
      // The value is in; writing it takes more round trips. A caller arriving now, perhaps after
      // an invalidation, reads Redis (waiting on the lock until the write) rather than take this value.
      leave();
    } catch (error) {
      this.#metrics.errors.add();
      await this.#release(location, token);
      const servable = usable && !background && localTime(read, usable.errorUntil) > Date.now();
      this.#events.emit('loaderError', {
        key: location.key,
        error,
        servedStale: Boolean(servable),
        background,
      });
      if (servable && usable) {
        return {
          encoded: usable.value,
          value: undefined,
          status: 'stale',
          ageMs: Math.max(0, read.now - usable.createdAt),
        };
      }
      throw error;
    }
    return this.#store(location, value, context, stamps, token);
  }

  /**
   * What the loader sees as `context.previous`: the entry read, unless fresh (no loader then) or
   * invalidated. An expired entry's stamps are checked here: the read checks only servable ones.
   */
  async #previousValue(read: Read, usable: StoredEntry | undefined): Promise<unknown> {
    if (!usable) return undefined;
    try {
      if (read.freshness === 'expired' && !(await this.#stamps.valid(usable.stamps))) return undefined;
      return decodeValue(usable.value, this.config.serializer);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('wrap', error, true);
      return undefined;
    }
  }

  /** A loader past softTimeout: stores its value when it finishes (hardTimeout still bounds it). */
  #finishLate(
    location: Location,
    loading: Promise<unknown>,
    context: LoaderContext,
    stamps: CapturedStamps | undefined,
    token: string,
    startedAt: number,
  ): void {
    const bounded = { softTimeoutMs: undefined, hardTimeoutMs: this.config.hardTimeoutMs };
    const task = awaitLoader(loading, bounded, `the loader of '${location.key}'`, startedAt, false).then(
      (value) => this.#store(location, value, context, stamps, token),
      async (error: unknown) => {
        this.#metrics.errors.add();
        await this.#release(location, token);
        this.#events.emit('loaderError', { key: location.key, error, servedStale: true, background: true });
      },
    );
    const tracked = task.catch(() => {});
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }

  /** Caches what a loader returned (unless it asked not to) and gives the lock back. */
  async #store(
    location: Location,
    value: unknown,
    context: LoaderContext,
    captured: CapturedStamps | undefined,
    token: string,
  ): Promise<Outcome> {
    const final = context.policy;
    const kept = final.ttlMs > 0 || final.keepMs > 0;
    const encoded = context.skipped || !kept ? undefined : this.#encode(location, value);
    if (!encoded) {
      await this.#release(location, token);
      return { encoded: undefined, value, status: 'miss', ageMs: 0 };
    }
    try {
      // Without the stamps read before the loader ran, or when one moved since (the value may
      // predate an invalidation), nothing is stored.
      const stamps =
        captured &&
        (await this.#stamps.settle(captured, this.#stampKeys(location, final.tags), lifetimeOf(final)));
      if (stamps) await this.#write(location, encoded, final, stamps, token);
      else await this.#release(location, token);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('wrap', error, true);
    }
    return { encoded, value: undefined, status: 'miss', ageMs: 0 };
  }

  /** Redis failed: fail open with the loader; stale-if-error from L1 when the loader fails too. */
  async #loadWithoutRedis(
    location: Location,
    loader: Loader<unknown>,
    policy: EntryPolicy,
  ): Promise<Outcome> {
    const context = new LoaderContext(location.key, false, policy, this.config);
    try {
      const value = await loader(context);
      return { encoded: this.#tryEncode(value), value, status: 'miss', ageMs: 0 };
    } catch (error) {
      this.#metrics.errors.add();
      const local = this.#l1?.usableOnError(location.entryKey);
      this.#events.emit('loaderError', {
        key: location.key,
        error,
        servedStale: Boolean(local),
        background: false,
      });
      if (!local) throw error;
      return { encoded: local.value, value: undefined, status: 'stale', ageMs: Date.now() - local.createdAt };
    }
  }

  async #read(location: Location, token: string): Promise<Read> {
    const localNow = Date.now();
    const reply = await this.#backend.run(
      readEntryScript,
      [location.entryKey, location.lockKey],
      [token, this.config.lockTtlMs],
      { buffers: true },
    );
    const now = Number(reply[0]);
    const nowUs = Number(reply[1]);
    const locked = Number(reply[2]) === 1;
    const entry = entryOf(reply);
    if (!entry) return { entry, now, nowUs, localNow, freshness: 'missing', locked, triedLock: token !== '' };
    const current = freshnessOf(entry, now);
    const stampChanged = current !== 'expired' && !(await this.#stamps.valid(entry.stamps));
    return {
      entry,
      now,
      nowUs,
      localNow,
      freshness: stampChanged ? 'invalid' : current,
      locked,
      triedLock: token !== '' && current !== 'fresh',
    };
  }

  async #write(
    location: Location,
    encoded: EncodedValue,
    policy: EntryPolicy,
    stamps: readonly StampRef[],
    token: string,
  ): Promise<void> {
    const writtenAt = await this.#backend.run(
      writeEntryScript,
      [location.entryKey, location.lockKey],
      [
        encoded.bytes,
        encoded.kind,
        policy.ttlMs,
        policy.staleWhileRevalidateMs,
        policy.staleIfErrorMs,
        encodeStamps(stamps),
        token,
        policy.keepMs,
      ],
    );
    this.#metrics.storedBytes.add(encoded.bytes.length);
    const now = Date.now();
    // Only while the bus works: an L1 entry is trusted because other instances' changes evict it.
    if (this.#bus.live)
      this.#l1?.set(location.entryKey, {
        value: encoded,
        freshUntil: refreshAt(now, now + policy.ttlMs, this.config.refreshAhead),
        errorUntil: now + policy.ttlMs + policy.staleIfErrorMs,
        createdAt: now,
        stamps: stamps.map((stamp) => stamp.key),
        seenAt: writtenAt,
      });
    await this.#publish('key', location.entryKey, writtenAt);
  }

  /** Gives the lock back without writing, and wakes the waiters so one of them loads. */
  async #release(location: Location, token: string): Promise<void> {
    if (token === '') return;
    try {
      await this.#backend.run(releaseLockScript, [location.lockKey], [token]);
      // Changed at time 0: the entry did not change, so no L1 drops it; the waiters wake and retry.
      await this.#publish('key', location.entryKey, 0);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('release', error, true);
    }
  }

  /** Best effort: a publish that fails only delays other instances' L1 (bounded by l1.ttl). */
  async #publish(kind: 'key' | 'stamp', key: string, changedAt?: number): Promise<void> {
    try {
      await this.#bus.publish(kind, key, changedAt);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('publish', error, true);
    }
  }

  async #deleteQuietly(location: Location): Promise<void> {
    try {
      const deletedAt = await this.#backend.run(deleteEntryScript, [location.entryKey], []);
      await this.#publish('key', location.entryKey, deletedAt);
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.#reportFailure('set', error, true);
    }
  }

  #failClosed<T>(operation: string, sent: Promise<T>): Promise<T> {
    return withFailPolicy(sent, {
      operation,
      failOpen: false,
      onFailure: (event) => this.#reportFailure(operation, event.error, false),
    });
  }

  /** Messages may be lost while the subscriber reconnects: L1 serves nothing as fresh from now on. */
  #busInterrupted(): void {
    if (this.#l1 && this.#bus.live) this.#metrics.l1Resets.add();
    this.#l1?.distrust();
    this.#bus.markUnreliable();
  }

  #receive(message: BusMessage): void {
    if (message.kind === 'stamp') {
      this.#l1?.evictStamp(message.key);
      return;
    }
    this.#l1?.evictKey(message.key, message.changedAt);
    this.#signals.wake(message.key);
  }

  #beginFill(location: Location): L1Fill | undefined {
    return this.#l1 && this.#bus.live ? this.#l1.beginFill(location.entryKey) : undefined;
  }

  #fillL1(fill: L1Fill | undefined, read: Read): void {
    const { entry } = read;
    if (!fill || !entry || !this.#l1) return;
    this.#l1.store(fill, {
      value: entry.value,
      // L1 serves only up to the refresh-ahead point, so the refresh is started from a Redis read.
      freshUntil: localTime(read, refreshAt(entry.createdAt, entry.freshUntil, this.config.refreshAhead)),
      errorUntil: localTime(read, entry.errorUntil),
      createdAt: localTime(read, entry.createdAt),
      stamps: entry.stamps.map((stamp) => stamp.key),
      seenAt: read.nowUs,
    });
  }

  #encode(location: Location, value: unknown): EncodedValue | undefined {
    const encoded = encodeValue(value, this.config.serializer);
    if (encoded && encoded.bytes.length > this.config.maxValueSize) {
      this.#events.emit('oversize', {
        key: location.key,
        size: encoded.bytes.length,
        limit: this.config.maxValueSize,
      });
      return undefined;
    }
    return encoded;
  }

  #tryEncode(value: unknown): EncodedValue | undefined {
    try {
      return encodeValue(value, this.config.serializer);
    } catch {
      return undefined;
    }
  }

  #valueOf(outcome: Outcome): unknown {
    return outcome.encoded ? decodeValue(outcome.encoded, this.config.serializer) : outcome.value;
  }

  #count(status: WrapStatus): void {
    if (status === 'hit') this.#metrics.hits.add();
    else if (status === 'stale') this.#metrics.stale.add();
    else this.#metrics.misses.add();
  }

  #reportFailure(operation: string, error: RediwareError, failedOpen: boolean): void {
    this.#metrics.errors.add();
    this.#events.emit('failure', { operation, error, failedOpen });
  }

  #locate(key: string, namespace: string | undefined): Location {
    if (typeof key !== 'string') {
      throw new RediwareError('ERR_RW_CACHE_KEY', `A cache key must be a string, received ${typeof key}.`);
    }
    const name = parseNamespace(namespace);
    // Keys of a namespace are written as `namespace:key`, and record the namespace's version.
    const identity = name === undefined ? key : `${name}:${key}`;
    return {
      key,
      entryKey: this.#keyspace.key(identity, 'e'),
      lockKey: this.#keyspace.key(identity, 'lock'),
      namespaceStamp: name === undefined ? undefined : this.#stamps.namespaceKey(name),
    };
  }

  #stampKeys(location: Location, tags: readonly string[]): string[] {
    const keys = tags.map((tag) => this.#stamps.tagKey(tag));
    if (location.namespaceStamp) keys.push(location.namespaceStamp);
    return keys;
  }
}
