import { LRUCache } from 'lru-cache';
import type { RateLimitResult } from './rate-limit-result';

interface Block {
  /** Local time (ms) until which the key is rejected. */
  until: number;
  /** Requests of at least this cost are rejected; a cheaper one may still fit. */
  cost: number;
  limit: number;
  windowMs: number;
  /** The limit the call was decided with: a call with another limit (a new plan) asks Redis again. */
  callLimit: number;
}

/**
 * Remembers rejections so a client hammering a blocked key costs no Redis round trip until its
 * retry time. Bounded: at most `maxEntries` keys, least recently used dropped first.
 */
export class BlockCache {
  readonly #blocks: LRUCache<string, Block>;

  constructor(maxEntries: number) {
    this.#blocks = new LRUCache({ max: maxEntries });
  }

  block(key: string, cost: number, result: RateLimitResult, now: number, callLimit: number): void {
    if (result.retryAfterMs > 0) {
      this.#blocks.set(key, {
        until: now + result.retryAfterMs,
        cost,
        limit: result.limit,
        windowMs: result.windowMs,
        callLimit,
      });
    }
  }

  /** The remaining block for a request of `cost`, or undefined when Redis must decide. */
  blocked(key: string, cost: number, now: number, callLimit: number): Block | undefined {
    const block = this.#blocks.get(key);
    if (!block || block.callLimit !== callLimit) return undefined;
    if (block.until <= now) {
      this.#blocks.delete(key);
      return undefined;
    }
    return cost >= block.cost ? block : undefined;
  }

  forget(key: string): void {
    this.#blocks.delete(key);
  }
}
