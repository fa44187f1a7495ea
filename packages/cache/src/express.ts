/**
 * The HTTP response cache as Express middleware (`responseCache`).
 *
 * @module @rediware/cache/express
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BodyCollector } from './http/body/capture';
import { dropOnWriteHead } from './http/drop-on-write-head';
import { expressHost } from './http/express-host';
import { loopbackRefresh, refreshHeader, refreshOriginHeader } from './http/loopback-refresh';
import type { ResponseCacheOptions, ResponseCacheRouteOptions, RoutePolicy } from './http/options';
import { withoutOwnHeaders } from './http/own-headers';
import { requestOrigin } from './http/request-origin';
import {
  type CachedReply,
  type Capture,
  type InvalidationSelector,
  ResponseCache,
  type ResponseCacheStats,
} from './http/response-cache';
import type { HeaderMap } from './http/rfc9111/headers';
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
    if (req.headers[refreshHeader] === secret) {
      // The refresh response is stored: what earlier middleware set for this internal request is not.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      if (req.headers[refreshOriginHeader] !== requestOrigin(req.protocol, expressHost(req)))
        res.setHeader('X-Cache', 'BYPASS');
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
    if (isUnsafeMethod(req.method)) endAfterInvalidation(cache, req, res);
    else {
      const local = cache.serveLocal(request, policy);
      if (local) {
        sendLocal(res, local);
        return;
      }
    }
    const own = new Set(res.getHeaderNames());
    const origin = requestOrigin(request.protocol, request.host);
    const refresh = loopbackRefresh(req.socket, req.originalUrl, req.headers, secret, origin);
    cache.begin({ ...request, refresh }, policy).then(
      (decision) => {
        if (decision.action === 'serve') return send(res, decision.reply, own);
        res.setHeader('X-Cache', decision.action === 'bypass' ? 'BYPASS' : 'MISS');
        // Installed first, so it runs after the capture has read the headers.
        if (cache.config.surrogate) dropOnWriteHead(res, ['surrogate-control']);
        if (decision.action === 'run') capture(res, decision.capture, own);
        next();
      },
      // begin() fails open on Redis errors itself; anything else is a bug the app should see.
      next,
    );
  };
}

/** An unsafe request's response ends once what it invalidates is invalidated (RFC 9111 §4.4). */
function endAfterInvalidation(cache: ResponseCache<Request>, req: Request, res: Response): void {
  const { end } = res;
  res.end = function (this: Response, ...args: unknown[]) {
    res.end = end;
    const request = { method: req.method, url: req.originalUrl, headers: req.headers };
    void cache
      .invalidateAfter(request, res.statusCode, res.getHeaders())
      .then(() => (end as (...a: unknown[]) => Response).apply(this, args));
    return this;
  } as Response['end'];
}

/** A reply from L1, sent at once: headers set before this middleware win over the stored ones. */
function sendLocal(res: Response, reply: CachedReply): void {
  res.statusCode = reply.status;
  for (const name in reply.headers) {
    if (!res.hasHeader(name)) res.setHeader(name, reply.headers[name] as string | string[]);
  }
  res.end(reply.body);
}

/** `own`: this request's headers, kept; `end`: the unpatched one when the capture has replaced res.end. */
function send(
  res: Response,
  reply: CachedReply,
  own: ReadonlySet<string>,
  end: Response['end'] = res.end,
): void {
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers))
    if (!own.has(name.toLowerCase())) res.setHeader(name, value);
  (end as (body?: Buffer) => Response).call(res, reply.body);
}

/**
 * Tees what the handler writes into a collector, and hands the response to the cache when it ends.
 * A 5xx the cache will not store is held back before anything is sent: the cache answers whether a
 * stale response (within stale-if-error) replaces it, else it goes out as the handler wrote it. So is
 * the 304 confirming a revalidated entry: the stored response, freshened, replaces it.
 */
function capture(res: Response, capture: Capture, own: ReadonlySet<string>): void {
  const collector = new BodyCollector(capture.maxBodySize);
  const { write, end, writeHead } = res;
  const ownless = (extra?: unknown): HeaderMap =>
    withoutOwnHeaders({ ...res.getHeaders(), ...lowerCased(extra) }, own);
  let decided = false;
  /** The headers as the handler set them, read before writeHead drops any. */
  let written: HeaderMap | undefined;
  let finished = false;
  /** Calls queued while a 5xx is held; undefined when nothing is held. */
  let held: (() => void)[] | undefined;
  let replaced = false;
  const hold = (status: number): void => {
    finished = true;
    held = [];
    void capture.finish({ status, headers: ownless(), body: Buffer.alloc(0) }).then((stale) => {
      const queued = held ?? [];
      held = undefined;
      if (stale && !res.headersSent) {
        replaced = true;
        for (const name of res.getHeaderNames()) if (!own.has(name)) res.removeHeader(name);
        send(res, stale, own, end);
        return;
      }
      if (!res.headersSent) res.setHeader('X-Cache', 'BYPASS');
      for (const call of queued) call();
    });
  };
  /** Whether this call is swallowed (replaced) or queued (held), instead of running now. */
  const deferred = (status: number, call: () => void, headers?: HeaderMap): boolean => {
    if (replaced) return true;
    const pending = held === undefined && !finished && !res.headersSent;
    const failed = status >= 500 && !capture.willStore(status, headers ?? ownless());
    if (pending && (failed || (status === 304 && capture.revalidating))) hold(status);
    if (held === undefined) return false;
    held.push(call);
    return true;
  };
  res.writeHead = function (this: Response, ...args: unknown[]) {
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
    const extra =
      typeof args[1] === 'object' && args[1] !== null && !Array.isArray(args[1]) ? args[1] : args[2];
    const headers = ownless(extra);
    const call = () => (writeHead as (...a: unknown[]) => Response).apply(this, args);
    // Once replaced, the only writeHead is the stale reply's own (through end's implicit header).
    if (!replaced && deferred(status, call, headers)) return this;
    if (!decided && !replaced) {
      decided = true;
      written = headers;
      if (!capture.willStore(status, headers)) res.setHeader('X-Cache', 'BYPASS');
    }
    return call();
  } as Response['writeHead'];
  res.write = function (this: Response, ...args: unknown[]) {
    if (deferred(res.statusCode, () => (write as (...a: unknown[]) => boolean).apply(this, args)))
      return true;
    collector.push(args[0], typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Response['write'];
  res.end = function (this: Response, ...args: unknown[]) {
    if (deferred(res.statusCode, () => (end as (...a: unknown[]) => Response).apply(this, args))) return this;
    if (typeof args[0] !== 'function')
      collector.push(args[0], typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined);
    return (end as (...a: unknown[]) => Response).apply(this, args);
  } as Response['end'];
  const finish = (complete: boolean): void => {
    if (finished) return;
    finished = true;
    const body = complete ? collector.body() : undefined;
    void capture.finish(
      body === undefined ? undefined : { status: res.statusCode, headers: written ?? ownless(), body },
    );
  };
  res.once('finish', () => finish(true));
  res.once('close', () => finish(res.writableFinished));
  // The client left while the lookup ran: 'close' has come and gone, and would never end the entry's
  // flight (every later request for the URL would wait on it).
  if (res.closed || res.destroyed) finish(false);
}

function lowerCased(headers: unknown): HeaderMap {
  const result: Record<string, string | number | readonly string[]> = {};
  if (typeof headers !== 'object' || headers === null) return result;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value))
      result[name.toLowerCase()] = value as string | number | readonly string[];
  }
  return result;
}
