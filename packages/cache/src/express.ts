/**
 * The HTTP response cache as Express middleware (`responseCache`).
 *
 * @module @rediware/cache/express
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { expressHost } from './http/express/express-host';
import { dropOnWriteHead } from './http/node/drop-on-write-head';
import { endAfterInvalidation } from './http/node/end-after-invalidation';
import { loopbackRefresh } from './http/node/loopback-refresh';
import { refreshOf } from './http/node/refresh-request';
import { sendLocalReply, sendReply } from './http/node/reply-writer';
import { captureResponse } from './http/node/response-capture';
import type { ResponseCacheOptions, ResponseCacheRouteOptions, RoutePolicy } from './http/options';
import { requestOrigin } from './http/request-origin';
import { type InvalidationSelector, ResponseCache, type ResponseCacheStats } from './http/response-cache';
import { isUnsafeMethod } from './http/unsafe-invalidation';

/** Options of `responseCache()` (see `ResponseCacheOptions`). */
export type ExpressResponseCacheOptions = ResponseCacheOptions<Request>;
/** Options of `cache.route()`: one route's options over the middleware's. */
export type ExpressResponseCacheRouteOptions = ResponseCacheRouteOptions<Request>;
export type { InvalidationSelector, ResponseCacheStats } from './http/response-cache';

/** The middleware `responseCache()` returns. */
export interface ExpressResponseCache extends RequestHandler {
  /** Every stored response with one of the tags, or of one of the paths, becomes a miss on every instance. */
  invalidate(selector: InvalidationSelector): Promise<void>;
  /** A middleware for one route: its options over these, on the same store. */
  route(options: ExpressResponseCacheRouteOptions): RequestHandler;
  /** Requests answered by this instance, per X-Cache. */
  stats(): ResponseCacheStats;
  /** Stops background work and unsubscribes; never closes your Redis client. */
  close(): Promise<void>;
}

/** The HTTP response cache as Express middleware (app-wide with app.use, or on a route). */
export function responseCache(options: ExpressResponseCacheOptions): ExpressResponseCache {
  const cache = new ResponseCache<Request>(options);
  // Background refreshes re-request the route from this server with this unguessable header value.
  const secret = randomUUID();
  const middleware = handlerFor(cache, cache.config.route, secret) as ExpressResponseCache;
  middleware.invalidate = (selector) => cache.invalidate(selector);
  middleware.route = (routeOptions) => handlerFor(cache, cache.route(routeOptions), secret);
  middleware.close = () => cache.close();
  middleware.stats = () => cache.stats();
  return middleware;
}

function handlerFor(
  cache: ResponseCache<Request>,
  policy: RoutePolicy<Request>,
  secret: string,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refresh = refreshOf(req.headers, secret, req.protocol, expressHost(req));
    if (refresh) {
      // The refresh response is stored: what earlier middleware set for this internal request is not.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      if (refresh === 'bypass') res.setHeader('X-Cache', 'BYPASS');
      next();
      return;
    }
    const request = {
      req,
      method: req.method,
      url: req.originalUrl,
      headers: req.headers,
      protocol: req.protocol,
      host: expressHost(req),
    };
    if (isUnsafeMethod(req.method))
      endAfterInvalidation(res, (status, headers) => cache.invalidateAfter(request, status, headers));
    else {
      const local = cache.serveLocal(request, policy);
      if (local) {
        sendLocalReply(res, local);
        return;
      }
    }
    const own = new Set(res.getHeaderNames());
    const origin = requestOrigin(request.protocol, request.host);
    const refreshed = loopbackRefresh(req.socket, req.originalUrl, req.headers, secret, origin);
    cache.begin({ ...request, refresh: refreshed }, policy).then(
      (decision) => {
        if (decision.action === 'serve') return sendReply(res, decision.reply, own);
        res.setHeader('X-Cache', decision.action === 'bypass' ? 'BYPASS' : 'MISS');
        // Installed first, so it runs after the capture has read the headers.
        if (cache.config.surrogate) dropOnWriteHead(res, ['surrogate-control']);
        if (decision.action === 'run') captureResponse(res, decision, own);
        next();
      },
      // begin() fails open on Redis errors itself; anything else is a bug the app should see.
      next,
    );
  };
}
