/**
 * The HTTP response cache plugin for Fastify 5 (default export), with per-route `config.cache`.
 *
 * @module @rediware/cache/fastify
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { warnMisspeltRouteConfig } from '@rediware/core';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import fp from 'fastify-plugin';
import { BodyCollector } from './http/body/capture';
import { inProcessRefresh } from './http/in-process-refresh';
import { refreshHeader, refreshOriginHeader } from './http/loopback-refresh';
import type { ResponseCacheOptions, ResponseCacheRouteOptions, RoutePolicy } from './http/options';
import { withoutOwnHeaders } from './http/own-headers';
import { requestOrigin } from './http/request-origin';
import {
  type CacheRequest,
  type Capture,
  type InvalidationSelector,
  ResponseCache,
  type ResponseCacheStats,
} from './http/response-cache';
import { isUnsafeMethod } from './http/unsafe-invalidation';

/** Options of the plugin: `app.register(responseCache, options)` (see `ResponseCacheOptions`). */
export type FastifyResponseCacheOptions = ResponseCacheOptions<FastifyRequest>;
/** A route's `config.cache`: its options over the plugin's. */
export type FastifyResponseCacheRouteOptions = ResponseCacheRouteOptions<FastifyRequest>;
export type { InvalidationSelector, ResponseCacheStats } from './http/response-cache';

/** `app.responseCache`: the plugin's invalidation and stats. */
export interface FastifyResponseCache {
  /** Every stored response with one of the tags, or of one of the paths, becomes a miss on every instance. */
  invalidate(selector: InvalidationSelector): Promise<void>;
  /** Requests answered by this instance, per X-Cache. */
  stats(): ResponseCacheStats;
}

declare module 'fastify' {
  interface FastifyInstance {
    responseCache: FastifyResponseCache;
  }
  interface FastifyContextConfig {
    /** This route's cache options over the plugin's; `false`: never cache this route. */
    cache?: FastifyResponseCacheRouteOptions | false;
  }
}

/** Per request: the response is being captured for the cache. */
interface Capturing {
  readonly capture: Capture;
  /** Headers set on the reply before the cache's hook: this request's, never stored. */
  readonly own: ReadonlySet<string>;
  finished: boolean;
}

const responseCachePlugin: FastifyPluginAsync<FastifyResponseCacheOptions> = async (fastify, options) => {
  const cache = new ResponseCache<FastifyRequest>(options);
  const capturing = new WeakMap<FastifyRequest, Capturing>();
  // Surrogate-Control is addressed to this cache: dropped from the responses it passes on.
  const dropped = cache.config.surrogate ? ['surrogate-control'] : [];
  // Background refreshes inject the route into the app with this unguessable header value.
  const refreshSecret = randomUUID();
  fastify.decorate('responseCache', {
    invalidate: (selector: InvalidationSelector) => cache.invalidate(selector),
    stats: () => cache.stats(),
  });
  fastify.addHook('onClose', async () => cache.close());
  fastify.addHook('onRoute', (route) => {
    warnMisspeltRouteConfig('@rediware/cache', 'cache', route.config, route);
    const routeOptions = route.config?.cache;
    if (routeOptions === false) return;
    const policy = routeOptions ? cache.route(routeOptions) : cache.config.route;
    // The lookup takes the handler's place, so every onRequest and preHandler hook (a rate limiter,
    // a lock guard, the app's own checks) has run before a hit is served, whatever the order in
    // which the plugins were registered: hooks that plugins prepend in onRoute run in reverse order.
    route.handler = cachedHandler(route.handler, cache, policy, capturing, refreshSecret);
    route.onSend = [
      ...(route.onSend === undefined ? [] : [route.onSend].flat()),
      store(cache, capturing, dropped, refreshSecret),
    ];
  });
};

function cachedHandler(
  handler: RouteHandlerMethod,
  cache: ResponseCache<FastifyRequest>,
  policy: RoutePolicy<FastifyRequest>,
  capturing: WeakMap<FastifyRequest, Capturing>,
  refreshSecret: string,
): RouteHandlerMethod {
  /** Resolves with true when it answered from the cache. */
  const lookupAsync = async (
    request: CacheRequest<FastifyRequest>,
    reply: FastifyReply,
  ): Promise<boolean> => {
    // Everything the hooks set (RateLimit, a request id) is this request's own.
    const own = new Set(Object.keys(reply.getHeaders()));
    const refresh = inProcessRefresh(
      (injected) => request.req.server.inject(injected),
      request.url,
      request.headers,
      refreshSecret,
      requestOrigin(request.protocol, request.host),
      request.req.socket?.remoteAddress,
    );
    const decision = await cache.begin({ ...request, refresh }, policy);
    if (decision.action === 'serve') {
      const { status, headers, body } = decision.reply;
      reply.code(status).headers(withoutOwnHeaders(headers, own)).send(body);
      return true;
    }
    reply.header('x-cache', decision.action === 'bypass' ? 'BYPASS' : 'MISS');
    if (decision.action !== 'run') return false;
    const state: Capturing = { capture: decision.capture, own, finished: false };
    capturing.set(request.req, state);
    // A request that ends without a response (client gone) releases the entry to the next one.
    reply.raw.once('close', () => finishOnce(state, undefined));
    // Gone while the lookup ran: its 'close' came before the listener, so end the flight now.
    if (reply.raw.closed || reply.raw.destroyed) void finishOnce(state, undefined);
    return false;
  };
  return function cached(this: FastifyInstance, request, reply) {
    if (request.headers[refreshHeader] === refreshSecret) {
      // The refresh response is stored: what the hooks set for this internal request is not.
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
      if (request.headers[refreshOriginHeader] !== requestOrigin(request.protocol, request.host))
        reply.header('x-cache', 'BYPASS');
      return handler.call(this, request, reply);
    }
    const cacheRequest: CacheRequest<FastifyRequest> = {
      req: request,
      method: request.method,
      url: request.url,
      headers: request.headers,
      protocol: request.protocol,
      host: request.host,
    };
    if (!isUnsafeMethod(request.method)) {
      // A reply from L1 is sent in this turn, without a promise.
      const local = cache.serveLocal(cacheRequest, policy);
      if (local) {
        reply.code(local.status);
        for (const name in local.headers) if (!reply.hasHeader(name)) reply.header(name, local.headers[name]);
        reply.send(local.body);
        return;
      }
    }
    return lookupAsync(cacheRequest, reply).then((answered) => {
      if (answered) return reply;
      const result = handler.call(this, request, reply);
      // A handler that answers through `reply` later returns nothing: its response is awaited, as
      // Fastify awaits it (resolving with undefined here would have Fastify send an empty body).
      return result === undefined ? reply : result;
    });
  };
}

function finishOnce(state: Capturing, response: Parameters<Capture['finish']>[0]) {
  if (state.finished) return Promise.resolve(undefined);
  state.finished = true;
  return state.capture.finish(response);
}

function store(
  cache: ResponseCache<FastifyRequest>,
  capturing: WeakMap<FastifyRequest, Capturing>,
  dropped: readonly string[],
  refreshSecret: string,
): onSendHookHandler {
  /** Surrogate-Control is dropped, except from a background refresh's response: the cache gets it whole. */
  const drop = (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers[refreshHeader] !== refreshSecret)
      for (const name of dropped) reply.removeHeader(name);
  };
  const storeAsync = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    // An unsafe request's response goes out once what it invalidates is invalidated (RFC 9111 §4.4).
    if (isUnsafeMethod(request.method))
      await cache.invalidateAfter(
        { method: request.method, url: request.url, headers: request.headers },
        reply.statusCode,
        reply.getHeaders(),
      );
    const state = capturing.get(request);
    if (!state) {
      drop(request, reply);
      return payload;
    }
    capturing.delete(request);
    const { capture, own } = state;
    const headers = withoutOwnHeaders(reply.getHeaders(), own);
    drop(request, reply);
    if (!capture.willStore(reply.statusCode, headers)) reply.header('x-cache', 'BYPASS');
    const collector = new BodyCollector(capture.maxBodySize);
    if (isStream(payload)) return teeStream(payload, collector, state, reply, headers);
    collector.push(payload);
    const body = collector.body();
    const stale = await finishOnce(
      state,
      body === undefined ? undefined : { status: reply.statusCode, headers, body },
    );
    if (!stale) return payload;
    // The handler failed and stale-if-error allows the stored response: it replaces the error.
    for (const name of Object.keys(reply.getHeaders())) if (!own.has(name)) reply.removeHeader(name);
    reply.code(stale.status).headers(withoutOwnHeaders(stale.headers, own));
    return stale.body;
  };
  // Callback style: a response the cache has nothing to do with (a hit, a bypass) passes in this turn.
  return (request, reply, payload, done) => {
    if (isUnsafeMethod(request.method) || capturing.has(request)) {
      storeAsync(request, reply, payload).then((sent) => done(null, sent), done);
      return;
    }
    drop(request, reply);
    done(null, payload);
  };
}

function isStream(payload: unknown): payload is Readable {
  return typeof payload === 'object' && payload !== null && typeof (payload as Readable).pipe === 'function';
}

/** Passes a streamed body through while collecting it; the cache gets it when the stream ends. */
function teeStream(
  source: Readable,
  collector: BodyCollector,
  state: Capturing,
  reply: FastifyReply,
  headers: ReturnType<FastifyReply['getHeaders']>,
): Readable {
  const tee = new PassThrough();
  source.on('data', (chunk: unknown) => collector.push(chunk));
  source.once('end', () => {
    const body = collector.body();
    void finishOnce(state, body === undefined ? undefined : { status: reply.statusCode, headers, body });
  });
  source.once('error', (error) => {
    void finishOnce(state, undefined);
    tee.destroy(error);
  });
  source.pipe(tee);
  return tee;
}

/** The response cache for Fastify: every GET/HEAD route is cached unless its `config.cache` is false. */
export default fp(responseCachePlugin, { fastify: '5.x', name: '@rediware/cache' });
