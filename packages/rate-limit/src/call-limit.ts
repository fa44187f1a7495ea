import { RediwareError } from '@rediware/core';
import type { Policy } from './algorithms/policy';
import type { RateLimiterConfig } from './options';

/** Per-call options of `consume`, `peek` and `refund`. */
export interface CallOptions {
  /**
   * This call's limit in place of the limiter's `limit` (its first policy): a per-plan or per-user
   * limit. The count of a key is the same whatever the limit, so a client whose limit changes keeps
   * what it used. 0 rejects the call without asking Redis. With the token bucket the capacity
   * follows the limit too, unless the limiter was given a `burst` of its own.
   * @default the limiter's `limit`
   */
  limit?: number | undefined;
}

/** Distinct limits remembered per limiter (plans are few); past this, policies are built per call. */
const maxCachedLimits = 256;
const byConfig = new WeakMap<RateLimiterConfig, Map<number, readonly Policy[]>>();

/**
 * The policies a call decides: the limiter's, or with the first one's limit replaced. The same
 * array for the same limit, so what is derived from it once (the RateLimit-Policy header) stays
 * derived once.
 */
export function callPolicies(config: RateLimiterConfig, limit: number | undefined): readonly Policy[] {
  const [main, ...others] = config.policies as [Policy, ...Policy[]];
  if (limit === undefined || limit === main.limit) return config.policies;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
    throw new RediwareError(
      'ERR_RW_RATE_LIMIT_LIMIT',
      `A rate limit must be a whole number, 0 or more, received ${String(limit)}.`,
    );
  }
  let cached = byConfig.get(config);
  if (cached === undefined) {
    cached = new Map();
    byConfig.set(config, cached);
  }
  let policies = cached.get(limit);
  if (policies === undefined) {
    const ownBurst = config.algorithm === 'token-bucket' && main.burst !== main.limit;
    policies = Object.freeze([
      Object.freeze({ limit, windowMs: main.windowMs, burst: ownBurst ? main.burst : limit }),
      ...others,
    ]);
    if (cached.size < maxCachedLimits) cached.set(limit, policies);
  }
  return policies;
}

/** True when a policy's limit is 0: nothing is ever admitted. */
export function admitsNothing(policies: readonly Policy[]): boolean {
  return policies.some((policy) => policy.limit === 0);
}
