/**
 * Rate limiting middleware for Express 4 and 5 (`rateLimit`).
 *
 * @module @rediware/rate-limit/express
 */
import { checkFunction } from '@rediware/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { callbackError } from './callback-error';
import { warnIfCreatedInHandler } from './express-creation-warning';
import { warnProxyMisconfiguration } from './express-proxy-warnings';
import type { HttpRateLimitOptions } from './http-options';
import { HttpRateLimit, type Rejection, type RequestDecision, stricter } from './http-rate-limit';
import { isPromise, type MaybePromise } from './maybe-promise';
import type { RateLimiter, RateLimitResult } from './rate-limiter';
import { requestOutcome } from './request-outcome';

declare global {
  namespace Express {
    interface Request {
      /** The decision of the strictest rate limiter that ran on this request. */
      rateLimit?: RateLimitResult;
    }
  }
}

/** Options of `rateLimit()`: the limiter's, the HTTP adapter's, and a custom `handler`. */
export interface ExpressRateLimitOptions extends HttpRateLimitOptions<Request> {
  /**
   * Answers rejected requests instead of the default problem+json 429.
   * @default a problem+json body with `statusCode` and `message`
   */
  handler?: (req: Request, res: Response, next: NextFunction, result: RateLimitResult) => unknown;
  /**
   * Whether a finished response counts as a success, for `skipSuccessfulRequests` and
   * `skipFailedRequests` (sync or async). A response the client left before it finished is a failure.
   * @default a status below 400
   */
  requestWasSuccessful?: (req: Request, res: Response) => MaybePromise<boolean>;
}

/** The middleware `rateLimit()` returns. */
export type ExpressRateLimit = RequestHandler & {
  /** The limiter behind the middleware: `peek`, `reset`, `refund`, events and metrics. */
  limiter: RateLimiter;
  /** Closes the limiter (unless given as `limiter`) and the `ban` counter; never the Redis client. */
  close(): Promise<void>;
};

/** Rate limiting middleware for `app.use(...)` or a single route; several stack, each applies. */
export function rateLimit(options: ExpressRateLimitOptions): ExpressRateLimit {
  warnIfCreatedInHandler();
  const { handler, requestWasSuccessful, ...rest } = options;
  const http = new HttpRateLimit<Request>(rest);
  const succeeded = requestOutcome(
    requestWasSuccessful === undefined
      ? undefined
      : checkFunction<typeof requestWasSuccessful>(requestWasSuccessful, 'requestWasSuccessful'),
  );
  const property = http.requestPropertyName;
  // Express 4 ignores a middleware's returned promise: nothing here returns one, and every error
  // (a callback's, or Redis's) reaches next() from here, the same on Express 4 and 5.
  const fail = (res: Response, next: NextFunction, error: unknown): void => {
    const failure = http.failure(error);
    if (failure) sendRejection(res, failure);
    else next(callbackError(error));
  };
  const reject = (req: Request, res: Response, next: NextFunction, decision: RequestDecision): void => {
    if (!handler || decision.banned) {
      const rejection = http.rejection(decision, req);
      if (isPromise(rejection))
        rejection.then(
          (answer) => sendRejection(res, answer),
          (error: unknown) => next(callbackError(error)),
        );
      else sendRejection(res, rejection);
      return;
    }
    const handled = handler(req, res, next, decision.result);
    if (isPromise(handled)) handled.then(undefined, (error: unknown) => next(callbackError(error)));
  };
  const apply = (req: Request, res: Response, next: NextFunction, decision: RequestDecision | undefined) => {
    if (!decision) return next();
    const holder = req as unknown as Record<string, RateLimitResult | undefined>;
    if (stricter(holder[property], decision.result)) {
      holder[property] = decision.result;
      for (const [name, value] of decision.headers) res.setHeader(name, value);
    }
    if (!decision.result.allowed) return reject(req, res, next, decision);
    if (http.refunds) watchResponse(res, (status) => http.settle(decision, succeeded(req, res, status)));
    next();
  };
  // No promise when the decision is at hand (a client the block cache rejects).
  const middleware: RequestHandler = (req, res, next) => {
    try {
      const decision = http.check(req, clientIp(req));
      if (!isPromise(decision)) return apply(req, res, next, decision);
      decision
        .then((decided) => apply(req, res, next, decided))
        .catch((error: unknown) => fail(res, next, error));
    } catch (error) {
      fail(res, next, error);
    }
  };
  return Object.assign(middleware, { limiter: http.limiter, close: () => http.close() });
}

/**
 * `req.ip`. Unless the app trusts a proxy, that is the socket's address: read it at once, without
 * proxy-addr parsing X-Forwarded-For only to drop it (about 3 µs a request in a profile).
 */
function clientIp(req: Request): string | undefined {
  const trustsProxy = req.app === undefined || Boolean(req.app.get('trust proxy'));
  warnProxyMisconfiguration(req, trustsProxy);
  return (trustsProxy ? req.ip : undefined) ?? req.socket.remoteAddress;
}

/** The rejection, written as it is (no ETag, no freshness check: it is never cached). */
function sendRejection(res: Response, rejection: Rejection): void {
  res.statusCode = rejection.statusCode;
  res.setHeader('Content-Type', rejection.contentType);
  res.end(rejection.body);
}

function watchResponse(res: Response, done: (statusCode: number | undefined) => void): void {
  // The client left while the decision was made: its 'close' has already gone by.
  if (res.closed || res.destroyed) {
    done(undefined);
    return;
  }
  let settled = false;
  res.once('finish', () => {
    settled = true;
    done(res.statusCode);
  });
  res.once('close', () => {
    if (!settled) done(undefined);
  });
}
