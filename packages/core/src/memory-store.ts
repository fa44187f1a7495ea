import { LRUCache } from 'lru-cache';
import type { Clock } from './clock';

/** Any value a memory script keeps: a string, a number, a Buffer, a Map, a Set, an object. */
export type StoredValue = NonNullable<unknown>;

/** The memory store's settings. */
export interface MemoryStoreOptions {
  /** The time source expiry is measured on. */
  clock: Clock;
  /** Live keys kept at most; the least recently used is dropped beyond it. */
  maxEntries: number;
  /** How often expired entries are swept, in ms. */
  sweepIntervalMs: number;
}

interface Entry {
  value: StoredValue;
  /** Absolute expiry on the store's clock; Infinity for none. */
  expiresAt: number;
}

/**
 * The data the memory backend's scripts operate on: keys with values and per-key expiry, bounded
 * by an LRU cap (lru-cache) and swept on an interval. Expiry follows Redis exactly: a key set
 * with a ttl of N ms is gone at N ms, and a ttl of 0 or less deletes. lru-cache's own TTL keeps
 * a key one millisecond longer than that, so expiry is tracked here.
 */
export class MemoryStore {
  readonly #entries: LRUCache<string, Entry>;
  readonly #clock: Clock;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions) {
    this.#clock = options.clock;
    this.#entries = new LRUCache<string, Entry>({ max: options.maxEntries });
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs);
    this.#sweeper.unref();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The live value at `key`, or undefined when there is none or it expired. */
  get<T extends StoredValue>(key: string): T | undefined {
    return this.#live(key)?.value as T | undefined;
  }

  /** Whether `key` holds a live value. */
  has(key: string): boolean {
    return this.#live(key) !== undefined;
  }

  /** Stores `value`; with no `ttlMs` the key never expires (like SET without PX). */
  set(key: string, value: StoredValue, ttlMs?: number): void {
    if (ttlMs !== undefined && ttlMs <= 0) {
      this.#entries.delete(key);
      return;
    }
    const expiresAt = ttlMs === undefined ? Number.POSITIVE_INFINITY : this.#clock() + ttlMs;
    this.#entries.set(key, { value, expiresAt });
  }

  /** Replaces the value and keeps the key's remaining expiry (like SET KEEPTTL). */
  replace(key: string, value: StoredValue): void {
    const entry = this.#live(key);
    if (entry) entry.value = value;
    else this.set(key, value);
  }

  /** Deletes `key`; false when it held no live value. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Remaining ms, -1 with no expiry, -2 when missing: the PTTL reply. */
  ttl(key: string): number {
    const entry = this.#live(key);
    if (!entry) return -2;
    return entry.expiresAt === Number.POSITIVE_INFINITY ? -1 : entry.expiresAt - this.#clock();
  }

  /** Sets the expiry of an existing key; false when the key is missing (the PEXPIRE reply). */
  expire(key: string, ttlMs: number): boolean {
    const entry = this.#live(key);
    if (!entry) return false;
    if (ttlMs <= 0) this.#entries.delete(key);
    else entry.expiresAt = this.#clock() + ttlMs;
    return true;
  }

  /** Removes the expiry of an existing key (PERSIST). */
  persist(key: string): boolean {
    const entry = this.#live(key);
    if (!entry) return false;
    entry.expiresAt = Number.POSITIVE_INFINITY;
    return true;
  }

  /** Live keys, least recently used first. */
  *keys(): IterableIterator<string> {
    const now = this.#clock();
    for (const key of this.#entries.rkeys()) {
      const entry = this.#entries.peek(key);
      if (entry && entry.expiresAt > now) yield key;
    }
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.#clock();
    for (const [key, entry] of this.#entries.entries()) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  /** The number of entries, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Deletes every entry. */
  clear(): void {
    this.#entries.clear();
  }

  /** Stops the sweep timer. */
  close(): void {
    clearInterval(this.#sweeper);
  }
}
