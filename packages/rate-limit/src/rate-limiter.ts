import {
  type Backend,
  bindCounters,
  type CoreEvents,
  countersSnapshot,
  createBackend,
  createKeyspace,
  type EngineCounters,
  type Keyspace,
  RediwareEmitter,
  RediwareError,
  withFailPolicy,
} from '@rediware/core';
import { algorithmScripts } from './algorithms/algorithm-scripts';
import {
  decodeReply,
  type Policy,
  type PolicyDecision,
  policyArgs,
  type ScriptMode,
} from './algorithms/policy';
import { BlockCache } from './block-cache';
import { admitsNothing, type CallOptions, callPolicies } from './call-limit';
import { ConsumeBatches } from './consume-batches';
import { parseOptions, type RateLimiterConfig, type RateLimiterOptions } from './options';
import { type RateLimitMetrics, rateLimitMetricSpecs } from './rate-limit-metrics';
import type { RateLimitResult } from './rate-limit-result';
import { resetScript } from './reset-script';

export type { RateLimitResult } from './rate-limit-result';

/** The events a limiter emits: `failure` on every Redis failure, `connectionError`. */
export type RateLimitEvents = CoreEvents;

/** A rate limiter, from `createRateLimiter`. */
export interface RateLimiter {
  /** The validated options. */
  readonly config: RateLimiterConfig;
  /**
   * Takes `cost` from every policy of `key` if all of them admit it; a rejected call takes nothing.
   * `options.limit` decides this call with another limit (a per-plan limit), in the same round trip.
   */
  consume(key: string, cost?: number, options?: CallOptions): Promise<RateLimitResult>;
  /** What `consume` would decide, without taking anything. */
  peek(key: string, cost?: number, options?: CallOptions): Promise<RateLimitResult>;
  /** Gives `cost` back (a request that should not count, such as a failed one). */
  refund(key: string, cost?: number, options?: CallOptions): Promise<RateLimitResult>;
  /** Forgets every count of `key`. */
  reset(key: string): Promise<void>;
  /** Adds `listener` for `event`. */
  on<K extends keyof RateLimitEvents & string>(
    event: K,
    listener: (...args: RateLimitEvents[K]) => void,
  ): this;
  /** Removes `listener` from `event`. */
  off<K extends keyof RateLimitEvents & string>(
    event: K,
    listener: (...args: RateLimitEvents[K]) => void,
  ): this;
  /** Totals of this limiter's counters since it was created (the same ones the `metrics` sink gets). */
  metrics(): RateLimitMetrics;
  /** Releases what the limiter opened itself (never the Redis client). */
  close(): Promise<void>;
}

/** The block cache read on its own, synchronously: what the HTTP adapters answer a blocked client from. */
export interface CachedRejections {
  /**
   * The rejection `consume(key, cost)` would give from the block cache, counted as that consume
   * would count it; undefined when Redis must decide. Throws what `consume` rejects with for a
   * bad key or cost.
   */
  cachedRejection(key: string, cost?: number, options?: CallOptions): RateLimitResult | undefined;
}

export function hasCachedRejections(limiter: RateLimiter): limiter is RateLimiter & CachedRejections {
  return typeof (limiter as Partial<CachedRejections>).cachedRejection === 'function';
}

/** A rate limiter; throws a RediwareConfigError at once for a bad option. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  return new RedisRateLimiter(parseOptions(options));
}

/** For the adapters, which validate the options together with their own. */
export function createRateLimiterFromConfig(config: RateLimiterConfig): RateLimiter {
  return new RedisRateLimiter(config);
}

class RedisRateLimiter extends RediwareEmitter<RateLimitEvents> implements RateLimiter, CachedRejections {
  readonly config: RateLimiterConfig;
  readonly #backend: Backend;
  readonly #keyspace: Keyspace;
  readonly #suffixes: readonly string[];
  /** continueExceeding: how long a rejection holds the key (the main window). */
  readonly #holdMs: number | undefined;
  readonly #blocks: BlockCache | undefined;
  /** Redis only: concurrent consumes of one key share a script call (in memory nothing is gained). */
  readonly #batches: ConsumeBatches<number[]> | undefined;
  readonly #fallback: RateLimiter | undefined;
  /** The smallest capacity of all policies: a larger cost could never be admitted. */
  readonly #maxCost: number;
  readonly #metrics: EngineCounters<keyof typeof rateLimitMetricSpecs>;

  constructor(config: RateLimiterConfig) {
    super();
    this.config = config;
    this.#backend = createBackend({
      redis: config.redis,
      timeout: config.timeout,
      packageName: '@rediware/rate-limit',
      holdsState: 'rate-limit counters',
      onConnectionError: (error) => this.emit('connectionError', error),
    });
    this.#keyspace = createKeyspace(config.prefix, 'rl');
    this.#suffixes = config.policies.map(
      (policy) => `${config.name}:${config.algorithm}:${policy.limit}:${policy.windowMs}:${policy.burst}`,
    );
    if (config.continueExceeding) this.#suffixes = [...this.#suffixes, `${config.name}:hold`];
    this.#holdMs = config.continueExceeding ? (config.policies[0] as Policy).windowMs : undefined;
    // A request the block cache answered would not extend the hold in Redis.
    this.#blocks =
      config.blockCacheSize > 0 && !config.continueExceeding
        ? new BlockCache(config.blockCacheSize)
        : undefined;
    this.#batches =
      this.#backend.kind === 'redis'
        ? new ConsumeBatches((key, cost, count, limit) =>
            this.#backend.run(
              algorithmScripts[config.algorithm],
              this.#keys(key),
              policyArgs('consume', cost, callPolicies(config, limit), count, this.#holdMs),
            ),
          )
        : undefined;
    this.#fallback =
      config.memoryFallback && config.redis !== undefined
        ? new RedisRateLimiter({
            ...config,
            redis: undefined,
            memoryFallback: false,
            blockCacheSize: 0,
            metrics: undefined,
          })
        : undefined;
    this.#maxCost = minBurst(config.policies);
    this.#metrics = bindCounters(rateLimitMetricSpecs, config.metrics, { limiter: config.name });
  }

  metrics(): RateLimitMetrics {
    return countersSnapshot(this.#metrics);
  }

  async consume(key: string, cost = 1, options?: CallOptions): Promise<RateLimitResult> {
    const now = Date.now();
    const policies = callPolicies(this.config, options?.limit);
    const blocked = this.#cachedRejection(key, cost, policies, now);
    if (blocked) return blocked;
    const result = await this.#decide('consume', key, cost, policies, options?.limit);
    if (result.allowed) this.#metrics.admitted.add();
    else {
      this.#metrics.rejected.add();
      if (!admitsNothing(policies)) this.#blocks?.block(key, cost, result, now, mainLimit(policies));
    }
    return result;
  }

  cachedRejection(key: string, cost = 1, options?: CallOptions): RateLimitResult | undefined {
    return this.#cachedRejection(key, cost, callPolicies(this.config, options?.limit), Date.now());
  }

  #cachedRejection(
    key: string,
    cost: number,
    policies: readonly Policy[],
    now: number,
  ): RateLimitResult | undefined {
    this.#checkCall(key, cost, policies);
    const block = this.#blocks?.blocked(key, cost, now, mainLimit(policies));
    if (!block) return undefined;
    this.#metrics.blockCacheHits.add();
    this.#metrics.rejected.add();
    const waitMs = block.until - now;
    return {
      allowed: false,
      limit: block.limit,
      remaining: 0,
      resetMs: waitMs,
      retryAfterMs: waitMs,
      windowMs: block.windowMs,
    };
  }

  peek(key: string, cost = 1, options?: CallOptions): Promise<RateLimitResult> {
    const policies = callPolicies(this.config, options?.limit);
    this.#checkCall(key, cost, policies);
    return this.#decide('peek', key, cost, policies, options?.limit);
  }

  refund(key: string, cost = 1, options?: CallOptions): Promise<RateLimitResult> {
    const policies = callPolicies(this.config, options?.limit);
    this.#checkCall(key, cost, policies);
    this.#blocks?.forget(key);
    return this.#decide('refund', key, cost, policies, options?.limit);
  }

  async reset(key: string): Promise<void> {
    this.#checkCall(key, 1, this.config.policies);
    this.#blocks?.forget(key);
    await this.#backend.run(resetScript, this.#keys(key), []);
    await this.#fallback?.reset(key);
  }

  async close(): Promise<void> {
    await Promise.all([this.#backend.close(), this.#fallback?.close()]);
  }

  #keys(key: string): string[] {
    return this.#suffixes.map((suffix) => this.#keyspace.key(key, suffix));
  }

  #decide(
    mode: ScriptMode,
    key: string,
    cost: number,
    policies: readonly Policy[],
    limit: number | undefined,
  ): Promise<RateLimitResult> {
    // A limit of 0 admits nothing, ever: no count to read or write.
    if (admitsNothing(policies)) return Promise.resolve(nothingAdmitted(policies, mode));
    return withFailPolicy(this.#decideInRedis(mode, key, cost, policies, limit), {
      operation: mode,
      failOpen: this.config.failOpen,
      fallback: () => this.#fallbackResult(mode, key, cost, policies, limit),
      onFailure: (event) => {
        if (event.failedOpen && mode === 'consume') this.#metrics.failedOpen.add();
        this.emit('failure', event);
      },
    });
  }

  #decideInRedis(
    mode: ScriptMode,
    key: string,
    cost: number,
    policies: readonly Policy[],
    limit: number | undefined,
  ): Promise<RateLimitResult> {
    if (mode === 'consume' && this.#batches) {
      return this.#batches
        .add(key, cost, limit)
        .then(({ reply, index }) => this.#result(decodeReply(reply, policies.length, index), policies));
    }
    return this.#backend
      .run(
        algorithmScripts[this.config.algorithm],
        this.#keys(key),
        policyArgs(mode, cost, policies, 1, this.#holdMs),
      )
      .then((reply) => this.#result(decodeReply(reply, policies.length), policies));
  }

  #fallbackResult(
    mode: ScriptMode,
    key: string,
    cost: number,
    policies: readonly Policy[],
    limit: number | undefined,
  ): Promise<RateLimitResult> | RateLimitResult {
    if (this.#fallback) return this.#fallback[mode](key, cost, { limit });
    const { limit: strictest, windowMs } = strictestPolicy(policies);
    return { allowed: true, limit: strictest, remaining: strictest, resetMs: 0, retryAfterMs: 0, windowMs };
  }

  /** The deciding policy: the one that waits longest when rejected, else the one with least room. */
  #result(decisions: PolicyDecision[], policies: readonly Policy[]): RateLimitResult {
    const allowed = decisions.every((decision) => decision.allowed);
    let index = 0;
    decisions.forEach((decision, i) => {
      const best = decisions[index] as PolicyDecision;
      const better = allowed
        ? decision.remaining < best.remaining
        : decision.retryAfterMs > best.retryAfterMs;
      if (better) index = i;
    });
    const deciding = decisions[index] as PolicyDecision;
    const policy = policies[index] ?? strictestPolicy(policies);
    return {
      allowed,
      limit: policy.limit,
      windowMs: policy.windowMs,
      remaining: deciding.remaining,
      resetMs: deciding.resetMs,
      retryAfterMs: allowed ? 0 : deciding.retryAfterMs,
    };
  }

  #checkCall(key: unknown, cost: unknown, policies: readonly Policy[]): void {
    if (typeof key !== 'string') {
      throw new RediwareError(
        'ERR_RW_RATE_LIMIT_KEY',
        `The rate limit key must be a string, received ${typeof key}.`,
      );
    }
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost <= 0) {
      throw new RediwareError(
        'ERR_RW_RATE_LIMIT_COST',
        `The cost must be a positive finite number, received ${String(cost)}.`,
      );
    }
    if (this.config.algorithm === 'sliding-log' && !Number.isInteger(cost)) {
      throw new RediwareError(
        'ERR_RW_RATE_LIMIT_COST',
        `The sliding log counts whole requests: the cost must be an integer, received ${cost}.`,
      );
    }
    const capacity = policies === this.config.policies ? this.#maxCost : minBurst(policies);
    // A limit of 0 rejects every cost; any other capacity that a cost exceeds is a caller's mistake.
    if (cost > capacity && capacity > 0) {
      throw new RediwareError(
        'ERR_RW_RATE_LIMIT_COST',
        `A cost of ${cost} can never be admitted: the smallest capacity of this limiter is ${capacity}.`,
      );
    }
  }
}

function strictestPolicy(policies: readonly Policy[]): Policy {
  return policies.reduce((a, b) => (b.limit < a.limit ? b : a));
}

function minBurst(policies: readonly Policy[]): number {
  return Math.min(...policies.map((policy) => policy.burst));
}

function mainLimit(policies: readonly Policy[]): number {
  return (policies[0] as Policy).limit;
}

/** The answer of a limit of 0: rejected, and a retry is no better, so it waits a whole window. */
function nothingAdmitted(policies: readonly Policy[], mode: ScriptMode): RateLimitResult {
  const closed = policies.find((policy) => policy.limit === 0) as Policy;
  const { windowMs } = closed;
  return {
    allowed: false,
    limit: 0,
    remaining: 0,
    resetMs: windowMs,
    retryAfterMs: mode === 'refund' ? 0 : windowMs,
    windowMs,
  };
}
