import { parseOptions } from './options';
import {
  createRateLimiterFromConfig,
  hasCachedRejections,
  type RateLimiter,
  type RateLimitResult,
} from './rate-limiter';

/**
 * `ban`: a second count per key, of its rejections in a window (a fixed window as long as the
 * limit's). Once a key was rejected `ban` times, every further rejection in that window is a ban.
 * Only rejected requests reach it, so an admitted request costs nothing more.
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
        limit: ban,
        window: main?.windowMs,
      }),
    );
  }

  /**
   * Counts one more rejection of `key`: a result whose `allowed` is false when the key is banned
   * (its retryAfterMs is when the ban ends). Synchronous while the block cache knows the ban.
   */
  rejected(key: string): RateLimitResult | Promise<RateLimitResult> {
    const cached = hasCachedRejections(this.#limiter) ? this.#limiter.cachedRejection(key) : undefined;
    return cached ?? this.#limiter.consume(key);
  }
}
