import { LRUCache } from 'lru-cache';
import type { Clock } from './clock';

/** Any value a memory script keeps: a string, a number, a Buffer, a Map, a Set, an object. */
export type StoredValue = NonNullable<unknown>;

export interface MemoryStoreOptions {
  clock: Clock;
  /** Live keys kept at most; the least recently used is dropped beyond it. */
  maxEntries: number;
  /** How often expired entries are swept, in ms. */
  sweepIntervalMs: number;
}

/**
 * The data the memory backend's scripts operate on: keys with values and per-key expiry, bounded
 * by an LRU cap and swept on an interval. Expiry follows Redis: a ttl of 0 or less deletes.
 */
export class MemoryStore {
  readonly #entries: LRUCache<string, StoredValue>;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions) {
    this.#entries = new LRUCache<string, StoredValue>({
      max: options.maxEntries,
      ttlResolution: 0,
      perf: { now: options.clock },
    });
    this.#sweeper = setInterval(() => this.#entries.purgeStale(), options.sweepIntervalMs);
    this.#sweeper.unref();
  }

  get<T extends StoredValue>(key: string): T | undefined {
    return this.#entries.get(key) as T | undefined;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Stores `value`; with no `ttlMs` the key never expires (like SET without PX). */
  set(key: string, value: StoredValue, ttlMs?: number): void {
    if (ttlMs !== undefined && ttlMs <= 0) {
      this.#entries.delete(key);
      return;
    }
    this.#entries.set(key, value, { ttl: ttlMs ?? 0 });
  }

  /** Replaces the value and keeps the key's remaining expiry (like SET KEEPTTL). */
  replace(key: string, value: StoredValue): void {
    const ttl = this.ttl(key);
    this.set(key, value, ttl > 0 ? ttl : undefined);
  }

  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Remaining ms, -1 with no expiry, -2 when missing: the PTTL reply. */
  ttl(key: string): number {
    if (!this.#entries.has(key)) return -2;
    const remaining = this.#entries.getRemainingTTL(key);
    return remaining === Number.POSITIVE_INFINITY ? -1 : Math.max(1, Math.ceil(remaining));
  }

  /** Sets the expiry of an existing key; false when the key is missing (the PEXPIRE reply). */
  expire(key: string, ttlMs: number): boolean {
    const value = this.#entries.get(key, { updateAgeOnGet: false });
    if (value === undefined) return false;
    this.set(key, value, ttlMs);
    return true;
  }

  /** Removes the expiry of an existing key (PERSIST). */
  persist(key: string): boolean {
    const value = this.#entries.get(key);
    if (value === undefined) return false;
    this.#entries.set(key, value, { ttl: 0 });
    return true;
  }

  /** Live keys, oldest first. */
  *keys(): IterableIterator<string> {
    for (const key of this.#entries.rkeys()) {
      if (this.#entries.has(key)) yield key;
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  close(): void {
    clearInterval(this.#sweeper);
  }
}
