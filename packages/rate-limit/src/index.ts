export type { Algorithm } from './algorithms/algorithm-scripts';
export type { PolicyOptions, RateLimiterConfig, RateLimiterOptions } from './options';
export {
  createRateLimiter,
  type RateLimitEvents,
  type RateLimiter,
  type RateLimitResult,
} from './rate-limiter';
