import {
  checkBoolean,
  checkFunction,
  checkNonNegativeInteger,
  checkObject,
  checkPositiveNumber,
  RediwareConfigError,
} from '@rediware/core';
import { parseHeaderToggles, type RateLimitResponseHeader } from './header-toggles';
import type { MaybePromise } from './maybe-promise';
import type { RateLimiterOptions } from './options';
import { type HeaderMode, parseHeaderModes } from './rate-limit-headers';
import type { RateLimiter } from './rate-limiter';
import type { RateLimitMessage } from './rejection-message';

/** The options both adapters add to the limiter's; `Req` is the framework's request. */
export interface HttpRateLimitOptions<Req> extends Omit<Partial<RateLimiterOptions>, 'limit'> {
  /**
   * Requests (cost units) per window, or a function of the request that returns it (sync or
   * async): a per-plan or per-user limit. A key's count is kept whatever its limit, so a client
   * that changes plan keeps what it used in the window. 0 rejects every request (no Redis call),
   * with `Retry-After` of one window.
   */
  limit?: number | ((req: Req) => MaybePromise<number>);
  /** Use this limiter instead of creating one from the limiter options. @default one made from these options */
  limiter?: RateLimiter;
  /** The identity to limit. @default the client IP (IPv6 grouped by `ipv6Subnet`) */
  key?: (req: Req) => MaybePromise<string>;
  /** What a request costs. @default 1 */
  cost?: number | ((req: Req) => MaybePromise<number>);
  /** Requests for which this returns true are not limited. @default none */
  skip?: (req: Req) => MaybePromise<boolean>;
  /**
   * Which rate limit headers to send: 'draft-8', 'draft-7', 'draft-6' (`RateLimit-Limit`,
   * `-Remaining`, `-Reset`), 'legacy' (`X-RateLimit-*`, the reset in seconds), a list of one draft
   * and 'legacy' (both sets at once, such as `['draft-7', 'legacy']`), or false.
   * @default 'draft-8'
   */
  headers?: HeaderMode | readonly HeaderMode[] | false;
  /**
   * Per-header toggles on a rejection, as @fastify/rate-limit's `addHeaders`: a header set to
   * false is not sent (`{ 'retry-after': false }`), whatever `headers` selects; true, or a header
   * left out, keeps it. Names are those `headers` can send, lower-case: `ratelimit`,
   * `ratelimit-policy`, `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset`,
   * `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset`, `retry-after`. A toggle
   * never adds a header `headers` does not select. An unknown name throws.
   * @default every header of `headers`, and `Retry-After`
   */
  addHeaders?: { [name in RateLimitResponseHeader]?: boolean };
  /**
   * Per-header toggles on an admitted request (the client is still within its limit), as
   * @fastify/rate-limit's `addHeadersOnExceeding`: the names of `addHeaders` but `retry-after`
   * (never sent on an admitted request).
   * @default every header of `headers`
   */
  addHeadersOnExceeding?: { [name in Exclude<RateLimitResponseHeader, 'retry-after'>]?: boolean };
  /** Status of a rejection. @default 429 */
  statusCode?: number;
  /**
   * The body of a rejection, as express-rate-limit sends it: a string as text (`text/plain`), an
   * object as JSON (`application/json`), or a function of the request that returns either (sync or
   * async).
   * @default an `application/problem+json` body: 'Too many requests: the limit is <limit> per <window> s. Retry in <n> s.'
   */
  message?: RateLimitMessage<Req>;
  /**
   * The request property that holds the decision (`req.rateLimit`).
   * @default 'rateLimit'
   */
  requestPropertyName?: string;
  /** Give the cost back when the response status is 400 or more, or the client went away. @default false */
  skipFailedRequests?: boolean;
  /** Give the cost back when the response status is below 400. @default false */
  skipSuccessfulRequests?: boolean;
  /** Bits of an IPv6 address that identify one client for the default key; false: the whole address. @default 56 */
  ipv6Subnet?: number | false;
  /**
   * Called with each admitted request and its key (the client is still within its limit). A throw
   * goes to the framework's error handling.
   * @default none
   */
  onExceeding?: (req: Req, key: string) => void;
  /** Called with each rejected request and its key; a throw goes to the framework's error handling. @default none */
  onExceeded?: (req: Req, key: string) => void;
  /**
   * After this many rejections of a key in one window, answer its further requests in that window
   * with 403 (problem+json, with `Retry-After`) instead of 429: `ban: 0` answers 403 at the first
   * rejection. Counted in Redis beside the limit; only rejected requests are counted.
   * @default undefined: never 403
   */
  ban?: number;
  /**
   * Called once when a key reaches `ban`: with the request that got its first 403 in a window
   * (counted in Redis, so once across every process), as @fastify/rate-limit's `onBanReach`. A
   * throw goes to the framework's error handling.
   * @default none
   */
  onBanReach?: (req: Req, key: string) => void;
}

export interface HttpRateLimitConfig<Req> {
  key: ((req: Req) => MaybePromise<string>) | undefined;
  cost: number | ((req: Req) => MaybePromise<number>);
  /** The per-request limit, when `limit` is a function. */
  limit: ((req: Req) => MaybePromise<number>) | undefined;
  skip: ((req: Req) => MaybePromise<boolean>) | undefined;
  headers: readonly HeaderMode[];
  /** The lower-cased headers `addHeaders` turns off on a rejection. */
  rejectionHeadersOff: ReadonlySet<string> | undefined;
  /** The lower-cased headers `addHeadersOnExceeding` turns off on an admitted request. */
  admissionHeadersOff: ReadonlySet<string> | undefined;
  statusCode: number;
  message: RateLimitMessage<Req> | undefined;
  requestPropertyName: string;
  skipFailedRequests: boolean;
  skipSuccessfulRequests: boolean;
  ipv6Subnet: number | false;
  onExceeding: ((req: Req, key: string) => void) | undefined;
  onExceeded: ((req: Req, key: string) => void) | undefined;
  ban: number | undefined;
  onBanReach: ((req: Req, key: string) => void) | undefined;
}

export const httpOptionNames = [
  'limiter',
  'key',
  'cost',
  'skip',
  'headers',
  'addHeaders',
  'addHeadersOnExceeding',
  'statusCode',
  'message',
  'requestPropertyName',
  'skipFailedRequests',
  'skipSuccessfulRequests',
  'ipv6Subnet',
  'onExceeding',
  'onExceeded',
  'ban',
  'onBanReach',
];

export function parseHttpOptions<Req>(options: HttpRateLimitOptions<Req>): HttpRateLimitConfig<Req> {
  const statusCode = options.statusCode ?? 429;
  if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
    throw new RediwareConfigError('statusCode', 'an HTTP error status (400-599)', statusCode);
  }
  const ipv6Subnet = options.ipv6Subnet ?? 56;
  if (ipv6Subnet !== false && (!Number.isInteger(ipv6Subnet) || ipv6Subnet < 1 || ipv6Subnet > 128)) {
    throw new RediwareConfigError('ipv6Subnet', 'a prefix length from 1 to 128, or false', ipv6Subnet);
  }
  const cost = options.cost ?? 1;
  if (typeof cost !== 'function') checkPositiveNumber(cost, 'cost');
  const { message } = options;
  if (message !== undefined && typeof message !== 'string' && typeof message !== 'function')
    checkObject(message, 'message');
  const requestPropertyName = options.requestPropertyName ?? 'rateLimit';
  if (typeof requestPropertyName !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(requestPropertyName)) {
    throw new RediwareConfigError('requestPropertyName', 'a JavaScript identifier', requestPropertyName);
  }
  return Object.freeze({
    key:
      options.key === undefined
        ? undefined
        : checkFunction<(req: Req) => MaybePromise<string>>(options.key, 'key'),
    cost,
    limit: typeof options.limit === 'function' ? options.limit : undefined,
    skip:
      options.skip === undefined
        ? undefined
        : checkFunction<(req: Req) => MaybePromise<boolean>>(options.skip, 'skip'),
    headers: parseHeaderModes(options.headers),
    rejectionHeadersOff: parseHeaderToggles(options.addHeaders, 'addHeaders'),
    admissionHeadersOff: parseHeaderToggles(options.addHeadersOnExceeding, 'addHeadersOnExceeding'),
    statusCode,
    message,
    requestPropertyName,
    skipFailedRequests: checkBoolean(options.skipFailedRequests ?? false, 'skipFailedRequests'),
    skipSuccessfulRequests: checkBoolean(options.skipSuccessfulRequests ?? false, 'skipSuccessfulRequests'),
    ipv6Subnet,
    onExceeding: optionalFunction<(req: Req, key: string) => void>(options.onExceeding, 'onExceeding'),
    onExceeded: optionalFunction<(req: Req, key: string) => void>(options.onExceeded, 'onExceeded'),
    ban: options.ban === undefined ? undefined : checkNonNegativeInteger(options.ban, 'ban'),
    onBanReach: optionalFunction<(req: Req, key: string) => void>(options.onBanReach, 'onBanReach'),
  });
}

function optionalFunction<F extends (...args: never[]) => unknown>(
  value: unknown,
  option: string,
): F | undefined {
  return value === undefined ? undefined : checkFunction<F>(value, option);
}
