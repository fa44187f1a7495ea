import type { MaybePromise } from './maybe-promise';
import { parseOptions } from './options';
import {
  createRateLimiterFromConfig,
  hasCachedRejections,
  type RateLimiter,
  type RateLimitResult,
} from './rate-limiter';

/** What `ban` makes of one rejection. */
export interface BanDecision {
  /** Answer 403. */
  banned: boolean;
  /** This rejection is the one that banned the key (once per key and window, across processes). */
  reached: boolean;
  /** When the ban ends, when banned. */
  retryAfterMs: number;
}

const notBanned: BanDecision = Object.freeze({ banned: false, reached: false, retryAfterMs: 0 });

/**
 * `ban`: a second count per key, of its rejections in a window (a fixed window as long as the
 * limit's), up to `ban + 1`. The first `ban` rejections are admitted by it with room left (429);
 * the one that takes its last unit is the first banned (403) and the key reaching the ban, decided
 * by Redis once for every process; every later rejection in that window is refused by it, banned,
 * and the block cache answers those without Redis. Only rejected requests reach it, so an admitted
 * request costs nothing more.
 */
export class BanCounter {
  readonly #limiter: RateLimiter;

  constructor(limiter: RateLimiter, ban: number) {
    const { config } = limiter;
    const main = config.policies[0];
    this.#limiter = createRateLimiterFromConfig(
      parseOptions({
        redis: config.redis,
        prefix: config.prefix,
        timeout: config.timeout,
        failOpen: config.failOpen,
        name: `${config.name.slice(0, 124)}-ban`,
        algorithm: 'fixed-window',
        limit: ban + 1,
        window: main?.windowMs,
      }),
    );
  }

  /** Closes the counter's own limiter (its backend; never the Redis client). */
  close(): Promise<void> {
    return this.#limiter.close();
  }

  /** Counts one more rejection of `key`. Synchronous while the block cache knows the ban. */
  rejected(key: string): MaybePromise<BanDecision> {
    const cached = hasCachedRejections(this.#limiter) ? this.#limiter.cachedRejection(key) : undefined;
    if (cached) return banDecision(cached);
    return this.#limiter.consume(key).then(banDecision);
  }
}

function banDecision(result: RateLimitResult): BanDecision {
  if (!result.allowed) return { banned: true, reached: false, retryAfterMs: result.retryAfterMs };
  // Failing open (Redis away) admits with the whole limit left: never a ban then.
  if (result.remaining > 0) return notBanned;
  return { banned: true, reached: true, retryAfterMs: result.resetMs };
}
