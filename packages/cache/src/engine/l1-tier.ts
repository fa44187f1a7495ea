import { LRUCache } from 'lru-cache';
import type { EncodedValue } from '../codec/value-codec';
import type { L1Config } from './options';

/** An entry held in process memory. Times are on this process's clock. */
export interface L1Entry {
  readonly value: EncodedValue;
  /** Served as a hit until then (never past the entry's freshness or the L1 ttl). */
  readonly servedUntil: number;
  /** Kept until then, to be served when Redis and the loader both fail (stale-if-error). */
  readonly errorUntil: number;
  /** Local time the entry was created, for its age. */
  readonly createdAt: number;
  /** The stamp keys (tags, namespace) that invalidate it. */
  readonly stamps: readonly string[];
  /** Redis time in µs (of the entry's own node) of the read or write that produced it. */
  readonly seenAt: number;
}

/** A fill in progress: an invalidation that arrives before it lands cancels it. */
export interface L1Fill {
  readonly key: string;
  /** Latest Redis time (µs) of a change to the key announced while the read was in flight. */
  changedAt: number;
}

/**
 * The bounded in-process tier (lru-cache). It holds encoded bytes, so every hit decodes a new
 * value and callers cannot change each other's. Coherence comes from the invalidation bus: the
 * cache evicts by key or by stamp when another instance writes; a read from Redis that started
 * before such an eviction is not stored (see `beginFill`), so a late reply cannot bring an old
 * value back.
 */
export class L1Tier {
  readonly #entries: LRUCache<string, L1Entry>;
  readonly #ttlMs: number;
  readonly #maxUnverifiedMs: number | undefined;
  readonly #fills = new Set<L1Fill>();
  /** Nothing is served as fresh from this time on, until the bus proves it works again. */
  #trustedUntil: number;

  constructor(config: L1Config) {
    this.#entries = new LRUCache<string, L1Entry>({ max: config.maxEntries });
    this.#ttlMs = config.ttlMs;
    this.#maxUnverifiedMs = config.maxUnverifiedMs;
    this.#trustedUntil = config.maxUnverifiedMs === undefined ? Number.POSITIVE_INFINITY : 0;
  }

  /** A fresh entry, or undefined (also while the bus is unverified). */
  fresh(key: string, now = Date.now()): L1Entry | undefined {
    if (now >= this.#trustedUntil) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.servedUntil > now) return entry;
    if (entry.errorUntil <= now) this.#entries.delete(key);
    return undefined;
  }

  /** An entry still inside its stale-if-error window, for when Redis and the loader both fail. */
  usableOnError(key: string, now = Date.now()): L1Entry | undefined {
    const entry = this.#entries.peek(key);
    return entry && entry.errorUntil > now ? entry : undefined;
  }

  /** Call before reading Redis; pass the result to `store`. */
  beginFill(key: string): L1Fill {
    const fill = { key, changedAt: Number.NEGATIVE_INFINITY };
    this.#fills.add(fill);
    return fill;
  }

  /**
   * Stores what a read returned, unless a change made at or after the read (on the same Redis
   * node's clock) was announced since `beginFill`: a change the read already saw does not count.
   */
  store(fill: L1Fill, entry: Omit<L1Entry, 'servedUntil'> & { freshUntil: number }): void {
    this.#fills.delete(fill);
    if (fill.changedAt >= entry.seenAt) return;
    this.set(fill.key, entry);
  }

  abandon(fill: L1Fill): void {
    this.#fills.delete(fill);
  }

  /** Stores this process's own write. */
  set(key: string, entry: Omit<L1Entry, 'servedUntil'> & { freshUntil: number }, now = Date.now()): void {
    const servedUntil = Math.min(entry.freshUntil, now + this.#ttlMs);
    if (servedUntil <= now && entry.errorUntil <= now) return;
    const { value, errorUntil, createdAt, stamps, seenAt } = entry;
    this.#entries.set(key, { value, servedUntil, errorUntil, createdAt, stamps, seenAt });
  }

  /** A change to `key` made at Redis time `changedAt` (µs) (unknown: Infinity, which evicts everything). */
  evictKey(key: string, changedAt = Number.POSITIVE_INFINITY): void {
    const entry = this.#entries.peek(key);
    if (entry && changedAt >= entry.seenAt) this.#entries.delete(key);
    for (const fill of this.#fills)
      if (fill.key === key) fill.changedAt = Math.max(fill.changedAt, changedAt);
  }

  evictStamp(stampKey: string): void {
    for (const [key, entry] of this.#entries.entries()) {
      if (entry.stamps.includes(stampKey)) this.#entries.delete(key);
    }
    // A fill in flight does not know its stamps yet: cancel them all (invalidations are rare).
    for (const fill of this.#fills) fill.changedAt = Number.POSITIVE_INFINITY;
  }

  /**
   * The bus delivered every message published before `sentAt`: entries may be served until
   * `sentAt + l1.maxUnverified`. Returns true when that window had run out meanwhile: messages
   * may have been lost unnoticed (a silent stall), so the entries were distrusted (see below).
   */
  verified(sentAt: number, now = Date.now()): boolean {
    if (this.#maxUnverifiedMs === undefined) return false;
    // 0: not verified since the start or since distrust(), so nothing was trusted meanwhile.
    const lapsed = this.#trustedUntil !== 0 && now >= this.#trustedUntil;
    if (lapsed) this.distrust();
    this.#trustedUntil = Math.max(this.#trustedUntil, sentAt + this.#maxUnverifiedMs);
    return lapsed;
  }

  /**
   * Messages may have been lost (the subscriber's connection failed): nothing is served as fresh
   * any more, but entries stay for stale-if-error, which only serves them when Redis and the
   * loader both fail.
   */
  distrust(): void {
    if (this.#maxUnverifiedMs !== undefined) this.#trustedUntil = 0;
    // A copy first: set() moves the entry to the front, so a live iteration would never end.
    for (const [key, entry] of [...this.#entries.entries()]) {
      this.#entries.set(key, { ...entry, servedUntil: 0 }, { noUpdateTTL: true });
    }
    for (const fill of this.#fills) fill.changedAt = Number.POSITIVE_INFINITY;
  }

  clear(): void {
    this.#entries.clear();
    for (const fill of this.#fills) fill.changedAt = Number.POSITIVE_INFINITY;
  }

  get size(): number {
    return this.#entries.size;
  }
}
