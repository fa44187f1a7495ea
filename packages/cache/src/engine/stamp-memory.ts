import { LRUCache } from 'lru-cache';

/** How many stamp versions a process remembers (a few bytes each; the least recently used go). */
const rememberedStamps = 10_000;

/**
 * The last version of each stamp this process read or wrote, so that a read can confirm an entry's
 * stamps without a second round trip. It is trusted the way L1 is: the bus's stamp messages make it
 * forget, so it is used only while the bus is live and verified (see `verified` and `distrust`),
 * and a read from Redis in flight while a stamp moved or the bus failed is not remembered.
 * It only confirms: a recorded version that differs from the remembered one is read from Redis
 * (a stamp recreated as '0' after it expired, or a bump whose message is still on its way).
 */
export class StampMemory {
  readonly #versions = new LRUCache<string, string>({ max: rememberedStamps });
  readonly #maxUnverifiedMs: number | undefined;
  readonly #live: () => boolean;
  /** Nothing is recalled from this time on, until the bus proves it works again. */
  #trustedUntil: number;
  /** Moves whenever something is forgotten: a read begun before does not remember what it read. */
  #epoch = 0;

  /** `maxUnverifiedMs`: as l1.maxUnverified (undefined: no heartbeat, only a lost connection counts). */
  constructor(maxUnverifiedMs: number | undefined, live: () => boolean) {
    this.#maxUnverifiedMs = maxUnverifiedMs;
    this.#live = live;
    this.#trustedUntil = maxUnverifiedMs === undefined ? Number.POSITIVE_INFINITY : 0;
  }

  #trusted(now: number): boolean {
    return this.#live() && now < this.#trustedUntil;
  }

  /** The remembered version of `key`, or undefined (also while the bus is not trusted). */
  recall(key: string, now = Date.now()): string | undefined {
    return this.#trusted(now) ? this.#versions.get(key) : undefined;
  }

  /** Call before reading stamps from Redis; pass the result to `remember`. Undefined: remember nothing. */
  begin(now = Date.now()): number | undefined {
    return this.#trusted(now) ? this.#epoch : undefined;
  }

  /** Keeps a version read with `begin`'s epoch, unless something was forgotten since. Missing ('') is not kept. */
  remember(key: string, version: string, epoch: number | undefined): void {
    if (epoch === this.#epoch && version !== '') this.#versions.set(key, version);
  }

  /** The stamp moved (here, or in another process as the bus says). */
  forget(key: string): void {
    this.#epoch++;
    this.#versions.delete(key);
  }

  /** As `L1Tier.verified`: every message published before `sentAt` arrived; a lapse meanwhile clears all. */
  verified(sentAt: number, now = Date.now()): void {
    if (this.#maxUnverifiedMs === undefined) return;
    if (this.#trustedUntil !== 0 && now >= this.#trustedUntil) this.distrust();
    this.#trustedUntil = Math.max(this.#trustedUntil, sentAt + this.#maxUnverifiedMs);
  }

  /** Messages may have been lost: forget everything, and recall nothing until verified again. */
  distrust(): void {
    if (this.#maxUnverifiedMs !== undefined) this.#trustedUntil = 0;
    this.#epoch++;
    this.#versions.clear();
  }
}
