import { isRedisOutage, type ProblemDetails, RedisError } from '@rediware/core';
import { LRUCache } from 'lru-cache';
import { BanCounter, type BanDecision } from './ban';
import { callPolicies } from './call-limit';
import { clientIpKey } from './client-ip-key';
import { withoutHeaders } from './header-toggles';
import {
  type HttpRateLimitConfig,
  type HttpRateLimitOptions,
  httpOptionNames,
  parseHttpOptions,
} from './http-options';
import { isPromise, type MaybePromise } from './maybe-promise';
import { parseOptions } from './options';
import { rateLimitHeaders } from './rate-limit-headers';
import {
  type CachedRejections,
  createRateLimiterFromConfig,
  hasCachedRejections,
  type RateLimiter,
  type RateLimitResult,
} from './rate-limiter';
import { type MessageBody, messageBody } from './rejection-message';

/** One request's decision, with what the adapter must send. */
export interface RequestDecision {
  result: RateLimitResult;
  headers: Array<[string, string]>;
  key: string;
  cost: number;
  /** The request's own limit, when `limit` is a function. */
  limit: number | undefined;
  /** True when `ban` turned this rejection into a 403. */
  banned?: boolean;
  /** When banned, the seconds until the ban ends (also sent as `Retry-After`, unless turned off). */
  banRetryAfter?: string;
}

export interface Rejection {
  statusCode: number;
  headers: Array<[string, string]>;
  /** `application/problem+json` unless a `message` says otherwise. */
  contentType: string;
  /** The body, serialized. */
  body: string;
}

const problemJson = 'application/problem+json; charset=utf-8';

/**
 * Everything the Express and Fastify adapters share: the key, cost and skip decisions, the
 * headers, the rejection body and the refund rule. Framework-neutral: the adapter passes the
 * request and its client IP.
 */
export class HttpRateLimit<Req> {
  readonly limiter: RateLimiter;
  readonly #config: HttpRateLimitConfig<Req>;
  /** The limiter's synchronous block-cache read, when it has one (a custom `limiter` may not). */
  readonly #cached: CachedRejections | undefined;
  /**
   * Serialized 429 bodies by their detail: a limiter has few (one per second of retry), and a
   * blocked client's answer then serializes nothing.
   */
  readonly #rejectionBodies = new LRUCache<string, string>({ max: 256 });
  /** A `message` that is not a function, serialized once. */
  readonly #fixedMessage: MessageBody | undefined;
  readonly #ban: BanCounter | undefined;
  /** False when the limiter was given (`limiter`): its owner closes it. */
  readonly #ownsLimiter: boolean;

  constructor(options: HttpRateLimitOptions<Req>, adapterOptionNames: readonly string[] = []) {
    this.#config = parseHttpOptions(options);
    this.#ownsLimiter = options.limiter === undefined;
    this.limiter =
      options.limiter ??
      createRateLimiterFromConfig(parseOptions(limiterOptions(options), adapterOptionNames));
    this.#cached = hasCachedRejections(this.limiter) ? this.limiter : undefined;
    const { message } = this.#config;
    this.#fixedMessage =
      message === undefined || typeof message === 'function' ? undefined : messageBody(message);
    const { ban } = this.#config;
    this.#ban = ban === undefined ? undefined : new BanCounter(this.limiter, ban);
  }

  /** Closes what this created: the limiter (unless it was given) and the ban counter. */
  async close(): Promise<void> {
    await Promise.all([this.#ownsLimiter ? this.limiter.close() : undefined, this.#ban?.close()]);
  }

  /** The request property that gets the decision. */
  get requestPropertyName(): string {
    return this.#config.requestPropertyName;
  }

  /**
   * The decision for a request, or undefined when it is skipped. Synchronous (no promise) when the
   * block cache answers and `skip`, `key` and `cost` returned plain values: a blocked client costs
   * no promise and no Redis call. A bad key or cost throws (or rejects, when decided later).
   */
  check(req: Req, clientIp: string | undefined): MaybePromise<RequestDecision | undefined> {
    const { skip } = this.#config;
    if (!skip) return this.#keyed(req, clientIp);
    const skipped = skip(req);
    if (isPromise(skipped)) return skipped.then((yes) => (yes ? undefined : this.#keyed(req, clientIp)));
    return skipped ? undefined : this.#keyed(req, clientIp);
  }

  #keyed(req: Req, clientIp: string | undefined): MaybePromise<RequestDecision> {
    const config = this.#config;
    const key = config.key ? config.key(req) : clientIpKey(clientIp, config.ipv6Subnet);
    if (isPromise(key)) return key.then((resolved) => this.#costed(req, resolved));
    return this.#costed(req, key);
  }

  #costed(req: Req, key: string): MaybePromise<RequestDecision> {
    const { cost } = this.#config;
    const resolved = typeof cost === 'function' ? cost(req) : cost;
    if (isPromise(resolved)) return resolved.then((value) => this.#limited(req, key, value));
    return this.#limited(req, key, resolved);
  }

  /** Runs the hooks, and with `ban` counts a rejection and turns a banned one into a 403. */
  #judged(req: Req, decision: RequestDecision): MaybePromise<RequestDecision> {
    const { onExceeding, onExceeded } = this.#config;
    if (decision.result.allowed) {
      onExceeding?.(req, decision.key);
      return decision;
    }
    onExceeded?.(req, decision.key);
    if (!this.#ban) return decision;
    const ban = this.#ban.rejected(decision.key);
    if (isPromise(ban)) return ban.then((result) => this.#banned(req, decision, result));
    return this.#banned(req, decision, ban);
  }

  /** The decision, a 403 with the ban's `Retry-After` when banned; `onBanReach` when this banned the key. */
  #banned(req: Req, decision: RequestDecision, ban: BanDecision): RequestDecision {
    if (!ban.banned) return decision;
    if (ban.reached) this.#config.onBanReach?.(req, decision.key);
    const retryAfter = String(Math.max(1, Math.ceil(ban.retryAfterMs / 1000)));
    const headers = decision.headers.map(([name, value]): [string, string] =>
      name === 'Retry-After' ? [name, retryAfter] : [name, value],
    );
    return { ...decision, headers, banned: true, banRetryAfter: retryAfter };
  }

  #limited(req: Req, key: string, cost: number): MaybePromise<RequestDecision> {
    const { limit } = this.#config;
    if (limit === undefined) return this.#decided(req, key, cost, undefined);
    const resolved = limit(req);
    if (isPromise(resolved)) return resolved.then((value) => this.#decided(req, key, cost, value));
    return this.#decided(req, key, cost, resolved);
  }

  #decided(req: Req, key: string, cost: number, limit: number | undefined): MaybePromise<RequestDecision> {
    const options = limit === undefined ? undefined : { limit };
    const blocked = this.#cached?.cachedRejection(key, cost, options);
    if (blocked) return this.#judged(req, this.#decision(blocked, key, cost, limit));
    return this.limiter
      .consume(key, cost, options)
      .then((result) => this.#judged(req, this.#decision(result, key, cost, limit)));
  }

  #decision(result: RateLimitResult, key: string, cost: number, limit: number | undefined): RequestDecision {
    const { config } = this.limiter;
    const { headers: modes, admissionHeadersOff, rejectionHeadersOff } = this.#config;
    const headers = withoutHeaders(
      rateLimitHeaders(result, modes, config.name, callPolicies(config, limit)),
      result.allowed ? admissionHeadersOff : rejectionHeadersOff,
    );
    return { result, key, cost, limit, headers };
  }

  /**
   * The answer to a rejected request: the `message`, or a problem+json body. A promise only when
   * `message` is a function that returns one; a function's bad value throws (or rejects).
   */
  rejection(decision: RequestDecision, req: Req): MaybePromise<Rejection> {
    if (decision.banned) return this.#banAnswer(decision);
    const { message } = this.#config;
    if (typeof message === 'function') {
      const value = message(req);
      if (isPromise(value)) return value.then((resolved) => this.#answer(decision, messageBody(resolved)));
      return this.#answer(decision, messageBody(value));
    }
    return this.#answer(decision, this.#fixedMessage ?? this.#problem(decision.result));
  }

  #banAnswer(decision: RequestDecision): Rejection {
    const problem: ProblemDetails = {
      type: 'https://rediware.dev/errors/ERR_RW_RATE_LIMIT_BANNED',
      title: 'Forbidden',
      status: 403,
      detail: `Banned: too many requests over the limit. Retry in ${decision.banRetryAfter ?? '1'} s.`,
    };
    return {
      statusCode: 403,
      headers: decision.headers,
      contentType: problemJson,
      body: JSON.stringify(problem),
    };
  }

  #answer(decision: RequestDecision, { contentType, body }: MessageBody): Rejection {
    return { statusCode: this.#config.statusCode, headers: decision.headers, contentType, body };
  }

  #problem(result: RateLimitResult): MessageBody {
    const detail = `Too many requests: the limit is ${result.limit} per ${result.windowMs / 1000} s. Retry in ${Math.ceil(result.retryAfterMs / 1000)} s.`;
    let body = this.#rejectionBodies.get(detail);
    if (body === undefined) {
      const problem: ProblemDetails = {
        type: 'https://rediware.dev/errors/ERR_RW_RATE_LIMITED',
        title: 'Too Many Requests',
        status: this.#config.statusCode,
        detail,
      };
      body = JSON.stringify(problem);
      this.#rejectionBodies.set(detail, body);
    }
    return { contentType: problemJson, body };
  }

  /**
   * The answer to a request whose decision failed because Redis was unreachable or too slow (only
   * with `failOpen: false`): a 503 problem+json. Any other error goes to the framework's error
   * handling: the application's own, and Redis refusing our commands (a `RedisRefusedError`, 500),
   * which is a configuration error to fix, not an outage to wait out.
   */
  failure(error: unknown): Rejection | undefined {
    if (!(error instanceof RedisError) || !isRedisOutage(error)) return undefined;
    return {
      statusCode: 503,
      headers: [],
      contentType: problemJson,
      body: JSON.stringify({ ...error.toProblem(), status: 503 }),
    };
  }

  /** True when responses must be watched to give the cost back. */
  get refunds(): boolean {
    return this.#config.skipFailedRequests || this.#config.skipSuccessfulRequests;
  }

  /**
   * Called once the response is done, with whether the request succeeded (by default a status
   * below 400; false when the client went away first; `requestWasSuccessful`'s answer, which may
   * be a promise). Undefined (that callback threw or rejected) refunds nothing.
   */
  settle(decision: RequestDecision, succeeded: MaybePromise<boolean | undefined>): void {
    if (isPromise(succeeded)) {
      succeeded.then(
        (value) => this.settle(decision, value),
        () => {},
      );
      return;
    }
    if (succeeded === undefined) return;
    const refund = succeeded ? this.#config.skipSuccessfulRequests : this.#config.skipFailedRequests;
    if (!refund) return;
    // The limiter reports its own failures as events; a refund has no caller left to tell, and runs
    // in a response event, where a throw (a custom limiter's) would end the process.
    try {
      const options = decision.limit === undefined ? undefined : { limit: decision.limit };
      this.limiter.refund(decision.key, decision.cost, options).catch(() => {});
    } catch {}
  }
}

/** Of two decisions on one request (stacked limiters), the one the client must heed. */
export function stricter(current: RateLimitResult | undefined, next: RateLimitResult): boolean {
  if (!current) return true;
  if (current.allowed !== next.allowed) return !next.allowed;
  return next.allowed ? next.remaining < current.remaining : next.retryAfterMs > current.retryAfterMs;
}

/**
 * The limiter's options. With `limit` a function, the limiter's own limit is 0: every call passes
 * the request's limit, and the key's count does not depend on it.
 */
function limiterOptions<Req>(options: HttpRateLimitOptions<Req>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...options };
  for (const name of httpOptionNames) delete rest[name];
  if (typeof rest.limit === 'function') rest.limit = 0;
  return rest;
}
