import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HttpRateLimitOptions } from './http-options';
import { HttpRateLimit, type RequestDecision, stricter } from './http-rate-limit';
import type { RateLimiter, RateLimitResult } from './rate-limiter';

declare global {
  namespace Express {
    interface Request {
      /** The decision of the strictest rate limiter that ran on this request. */
      rateLimit?: RateLimitResult;
    }
  }
}

export interface ExpressRateLimitOptions extends HttpRateLimitOptions<Request> {
  /** Answers rejected requests instead of the default problem+json 429. */
  handler?: (req: Request, res: Response, next: NextFunction, result: RateLimitResult) => unknown;
}

export type ExpressRateLimit = RequestHandler & { limiter: RateLimiter };

/** Rate limiting middleware for `app.use(...)` or a single route; several stack, each applies. */
export function rateLimit(options: ExpressRateLimitOptions): ExpressRateLimit {
  const { handler, ...rest } = options;
  const http = new HttpRateLimit<Request>(rest);
  const middleware: RequestHandler = async (req, res, next) => {
    let decision: RequestDecision | undefined;
    try {
      decision = await http.check(req, req.ip ?? req.socket.remoteAddress);
    } catch (error) {
      const failure = http.failure(error);
      if (!failure) return next(error);
      res.status(failure.statusCode).type('application/problem+json').send(JSON.stringify(failure.body));
      return;
    }
    if (!decision) return next();
    if (stricter(req.rateLimit, decision.result)) {
      req.rateLimit = decision.result;
      for (const [name, value] of decision.headers) res.setHeader(name, value);
    }
    if (!decision.result.allowed) {
      if (handler) return void handler(req, res, next, decision.result);
      const rejection = http.rejection(decision);
      res.status(rejection.statusCode).type('application/problem+json').send(JSON.stringify(rejection.body));
      return;
    }
    if (http.refunds) watchResponse(res, (status) => http.settle(decision, status));
    next();
  };
  return Object.assign(middleware, { limiter: http.limiter });
}

function watchResponse(res: Response, done: (statusCode: number | undefined) => void): void {
  let settled = false;
  res.once('finish', () => {
    settled = true;
    done(res.statusCode);
  });
  res.once('close', () => {
    if (!settled) done(undefined);
  });
}
