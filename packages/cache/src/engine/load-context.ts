import { type CacheConfig, type EntryOptions, type EntryPolicy, parseEntryOptions } from './options';
import type { WriteGuard } from './write-guard';

/** What a loader receives: it may change how its result is cached, or keep it out of the cache. */
export interface LoadContext {
  /** The key being loaded, as the caller gave it. */
  readonly key: string;
  /** True when this load refreshes a stale entry in the background. */
  readonly refreshing: boolean;
  /**
   * The value stored for the key that is no longer fresh (stale, or past its windows but kept by
   * the `keep` option), for a loader that revalidates it; undefined when there is none or it was
   * invalidated.
   */
  readonly previous: unknown;
  /** Caches the result with these options instead of the call's (ttl, tags, windows). */
  setOptions(options: EntryOptions): void;
  /** Returns the result to the caller without caching it. */
  skip(): void;
}

/** The context the response cache's loaders get: a LoadContext that can also guard the write. */
export interface GuardedLoadContext extends LoadContext {
  /** The value is written only if `guard`'s check passes when it would be. */
  guardWrite(guard: WriteGuard): void;
}

export class LoaderContext implements GuardedLoadContext {
  readonly key: string;
  readonly refreshing: boolean;
  readonly previous: unknown;
  #policy: EntryPolicy;
  #changed = false;
  #skipped = false;
  #guard: WriteGuard | undefined;
  readonly #config: CacheConfig;

  constructor(
    key: string,
    refreshing: boolean,
    policy: EntryPolicy,
    config: CacheConfig,
    previous: unknown = undefined,
  ) {
    this.key = key;
    this.refreshing = refreshing;
    this.previous = previous;
    this.#policy = policy;
    this.#config = config;
  }

  setOptions(options: EntryOptions): void {
    const { namespace: _, ...rest } = options;
    this.#policy = {
      ...parseEntryOptions(
        {
          ttl: this.#policy.ttlMs,
          staleWhileRevalidate: this.#policy.staleWhileRevalidateMs,
          staleIfError: this.#policy.staleIfErrorMs,
          keep: this.#policy.keepMs,
          tags: this.#policy.tags,
          ...rest,
        },
        this.#config,
      ),
    };
    this.#changed = true;
  }

  skip(): void {
    this.#skipped = true;
  }

  guardWrite(guard: WriteGuard): void {
    this.#guard = guard;
  }

  get guard(): WriteGuard | undefined {
    return this.#guard;
  }

  get policy(): EntryPolicy {
    return this.#policy;
  }

  get changed(): boolean {
    return this.#changed;
  }

  get skipped(): boolean {
    return this.#skipped;
  }
}
