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
 */
export class RecentlySeen {
  readonly #entries = new Map<string, SeenSession>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  recall(id: string): SeenSession | undefined {
    return this.#entries.get(id);
  }

  remember(id: string, seen: SeenSession): void {
    this.#entries.delete(id);
    this.#entries.set(id, seen);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}
