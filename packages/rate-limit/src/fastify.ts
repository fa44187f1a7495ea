import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { HttpRateLimitOptions } from './http-options';
import { HttpRateLimit, type RequestDecision, stricter } from './http-rate-limit';
import type { RateLimitResult } from './rate-limiter';

export interface FastifyRateLimitRouteOptions extends HttpRateLimitOptions<FastifyRequest> {
  /** Answers rejected requests instead of the default problem+json 429. */
  handler?: (request: FastifyRequest, reply: FastifyReply, result: RateLimitResult) => unknown;
}

export interface FastifyRateLimitOptions extends FastifyRateLimitRouteOptions {
  /**
   * Limit every route with these options (true), or only routes with `config.rateLimit` (false).
   * @default true
   */
  global?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The decision of the strictest rate limiter that ran on this request. */
    rateLimit?: RateLimitResult;
  }
  interface FastifyContextConfig {
    /** This route's own limit, added to the global one; `false` exempts the route from all limits. */
    rateLimit?: FastifyRateLimitRouteOptions | false;
  }
}

/** Route options that a route's own limit does not inherit from the plugin's. */
const ownPolicy = ['limit', 'window', 'burst', 'policies', 'name', 'limiter'] as const;

const rateLimitPlugin: FastifyPluginAsync<FastifyRateLimitOptions> = async (fastify, options) => {
  const { global = true, ...pluginOptions } = options;
  const globalHook = global ? limitHook(pluginOptions) : undefined;
  const inherited: Record<string, unknown> = { ...pluginOptions };
  for (const name of ownPolicy) delete inherited[name];

  fastify.decorateRequest('rateLimit', undefined);
  fastify.addHook('onRoute', (route) => {
    const routeOptions = route.config?.rateLimit;
    if (routeOptions === false) return;
    const hooks: onRequestHookHandler[] = [];
    if (globalHook) hooks.push(globalHook);
    if (routeOptions) {
      const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
      hooks.push(limitHook({ name: `${method}${route.url}`, ...inherited, ...routeOptions }));
    }
    if (hooks.length === 0) return;
    const existing = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [...hooks, ...existing];
  });
};

function limitHook(options: FastifyRateLimitRouteOptions): onRequestHookHandler {
  const { handler, ...rest } = options;
  const http = new HttpRateLimit<FastifyRequest>(rest);
  return async (request, reply) => {
    let decision: RequestDecision | undefined;
    try {
      decision = await http.check(request, request.ip);
    } catch (error) {
      const failure = http.failure(error);
      if (!failure) throw error;
      return reply.code(failure.statusCode).type('application/problem+json').send(failure.body);
    }
    if (!decision) return;
    if (stricter(request.rateLimit, decision.result)) {
      request.rateLimit = decision.result;
      for (const [name, value] of decision.headers) reply.header(name, value);
    }
    if (!decision.result.allowed) {
      if (handler) {
        await handler(request, reply, decision.result);
        return reply;
      }
      const rejection = http.rejection(decision);
      return reply.code(rejection.statusCode).type('application/problem+json').send(rejection.body);
    }
    if (http.refunds) {
      reply.raw.once('close', () =>
        http.settle(decision, reply.raw.writableFinished ? reply.statusCode : undefined),
      );
    }
  };
}

export default fp(rateLimitPlugin, { fastify: '5.x', name: '@rediware/rate-limit' });
