/**
 * The framework-free rate limiter engine (`createRateLimiter`) and its types.
 *
 * @module @rediware/rate-limit
 */
export type { Algorithm } from './algorithms/algorithm-scripts';
export type { CallOptions } from './call-limit';
export type { PolicyOptions, RateLimiterConfig, RateLimiterOptions } from './options';
export { type RateLimitMetrics, rateLimitMetricSpecs } from './rate-limit-metrics';
export {
  createRateLimiter,
  type RateLimitEvents,
  type RateLimiter,
  type RateLimitResult,
} from './rate-limiter';
