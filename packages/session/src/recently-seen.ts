import { LRUCache } from 'lru-cache';

/** What this process last read or wrote for a session. */
export interface SeenSession {
  /** The stored expiry, epoch ms. */
  expiresAt: number;
  /** SHA-256 of the stored session; '' when unknown. */
  digest: string;
}

/**
 * A bounded map of the sessions this process read or wrote lately, so that `touchAfter` can tell,
 * without asking Redis, that a touch or a save of unchanged data would move the expiry by too
 * little to be worth a write. Knowing nothing (evicted, or read by another process) only means
 * writing as usual; skipping is safe because the data in Redis is what this process last saw or
 * newer.
 *
 * An `lru-cache`, not a `Map` kept in order by deleting and setting each session again: that is an
 * add and a delete per request on a long-lived Map, whose discarded tables V8 leaves intact, and
 * once one is in the old generation they keep what they held alive through every young-generation
 * collection (core's IndexedSet says more). lru-cache moves a known session in place.
 */
export class RecentlySeen {
  readonly #entries: LRUCache<string, SeenSession>;

  constructor(max: number) {
    this.#entries = new LRUCache({ max });
  }

  recall(id: string): SeenSession | undefined {
    return this.#entries.get(id);
  }

  remember(id: string, seen: SeenSession): void {
    this.#entries.set(id, seen);
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}
