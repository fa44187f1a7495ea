/**
 * The HTTP response cache plugin for Fastify 5 (default export), with per-route `config.cache`.
 *
 * @module @rediware/cache/fastify
 */
import { randomUUID } from 'node:crypto';
import { warnMisspeltRouteConfig } from '@rediware/core';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import type { CacheRequest } from './http/cache-request';
import { injectRefresh } from './http/fastify/inject-refresh';
import { type Captures, sendHook, startCapture } from './http/fastify/send-hook';
import { withoutOwnHeaders } from './http/node/own-headers';
import { refreshOf } from './http/node/refresh-request';
import type { ResponseCacheOptions, ResponseCacheRouteOptions, RoutePolicy } from './http/options';
import { type InvalidationSelector, ResponseCache, type ResponseCacheStats } from './http/response-cache';
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

const responseCachePlugin: FastifyPluginAsync<FastifyResponseCacheOptions> = async (fastify, options) => {
  const cache = new ResponseCache<FastifyRequest>(options);
  const captures: Captures = new WeakMap();
  // Surrogate-Control is addressed to this cache: dropped from the responses it passes on.
  const dropped = cache.config.surrogate ? ['surrogate-control'] : [];
  // Background refreshes inject the route into the app with this unguessable header value.
  const refreshSecret = randomUUID();
  fastify.decorate('responseCache', {
    invalidate: (selector: InvalidationSelector) => cache.invalidate(selector),
    stats: () => cache.stats(),
  });
  fastify.addHook('onClose', async () => cache.close());
  const onSend = sendHook(captures, {
    invalidateAfter: (request, status, headers) => cache.invalidateAfter(request, status, headers),
    dropped,
    refreshSecret,
  });
  fastify.addHook('onRoute', (route) => {
    warnMisspeltRouteConfig('@rediware/cache', 'cache', route.config, route);
    const routeOptions = route.config?.cache;
    if (routeOptions === false) return;
    const policy = routeOptions ? cache.route(routeOptions) : cache.config.route;
    // The lookup takes the handler's place, so every onRequest and preHandler hook (a rate limiter,
    // a lock guard, the app's own checks) has run before a hit is served, whatever the order in
    // which the plugins were registered: hooks that plugins prepend in onRoute run in reverse order.
    route.handler = cachedHandler(route.handler, cache, policy, captures, refreshSecret);
    route.onSend = [...(route.onSend === undefined ? [] : [route.onSend].flat()), onSend];
  });
};

function cachedHandler(
  handler: RouteHandlerMethod,
  cache: ResponseCache<FastifyRequest>,
  policy: RoutePolicy<FastifyRequest>,
  captures: Captures,
  refreshSecret: string,
): RouteHandlerMethod {
  return function cached(this: FastifyInstance, request, reply) {
    const refresh = refreshOf(request.headers, refreshSecret, request.protocol, request.host);
    if (refresh) {
      // The refresh response is stored: what the hooks set for this internal request is not.
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
      if (refresh === 'bypass') reply.header('x-cache', 'BYPASS');
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
    // Everything the hooks set (RateLimit, a request id) is this request's own.
    const own = new Set(Object.keys(reply.getHeaders()));
    return cache
      .begin({ ...cacheRequest, refresh: injectRefresh(request, refreshSecret) }, policy)
      .then((decision) => {
        if (decision.action === 'serve') {
          const { status, headers, body } = decision.reply;
          return reply.code(status).headers(withoutOwnHeaders(headers, own)).send(body);
        }
        reply.header('x-cache', decision.action === 'bypass' ? 'BYPASS' : 'MISS');
        if (decision.action === 'run') startCapture(captures, request, reply, decision, own);
        const result = handler.call(this, request, reply);
        // A handler that answers through `reply` later returns nothing: its response is awaited, as
        // Fastify awaits it (resolving with undefined here would have Fastify send an empty body).
        return result === undefined ? reply : result;
      });
  };
}

/** The response cache for Fastify: every GET/HEAD route is cached unless its `config.cache` is false. */
export default fp(responseCachePlugin, { fastify: '5.x', name: '@rediware/cache' });
