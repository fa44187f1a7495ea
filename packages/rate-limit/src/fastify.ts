/**
 * The rate limit plugin for Fastify 5 (default export), with per-route `config.rateLimit`.
 *
 * @module @rediware/rate-limit/fastify
 */

import { checkFunction, checkOneOf, warnMisspeltRouteConfig } from '@rediware/core';
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { callbackError } from './callback-error';
import type { HttpRateLimitOptions } from './http-options';
import { HttpRateLimit, type Rejection, type RequestDecision, stricter } from './http-rate-limit';
import { isPromise, type MaybePromise } from './maybe-promise';
import type { RateLimitResult } from './rate-limiter';
import { requestOutcome } from './request-outcome';
import { routeLimitOptions } from './route-options';

/** A route's own limit, in its `config.rateLimit`. */
export interface FastifyRateLimitRouteOptions extends HttpRateLimitOptions<FastifyRequest> {
  /**
   * Answers rejected requests instead of the default problem+json 429.
   * @default a problem+json body with `statusCode` and `message`
   */
  handler?: (request: FastifyRequest, reply: FastifyReply, result: RateLimitResult) => unknown;
  /**
   * The route hook that limits: 'onRequest' (before the body is read), 'preValidation', or
   * 'preHandler' (after authentication in an earlier hook, so `key` can read the user). A route's
   * limit defaults to the plugin's hook.
   * @default 'onRequest'
   */
  hook?: RateLimitHook;
  /**
   * Whether a finished response counts as a success, for `skipSuccessfulRequests` and
   * `skipFailedRequests` (sync or async). A response the client left before it finished is a failure.
   * @default a status below 400
   */
  requestWasSuccessful?: (request: FastifyRequest, reply: FastifyReply) => MaybePromise<boolean>;
}

/** The route hooks a limit can run in. */
export type RateLimitHook = 'onRequest' | 'preValidation' | 'preHandler';
const rateLimitHooks: readonly RateLimitHook[] = ['onRequest', 'preValidation', 'preHandler'];

/** Options of the plugin: `app.register(rateLimit, options)`. */
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
    /**
     * This route's own limit, added to the global one, with its own counter; every option it does
     * not set is the plugin's. `false` exempts the route from all limits.
     */
    rateLimit?: FastifyRateLimitRouteOptions | false;
  }
}

const rateLimitPlugin: FastifyPluginAsync<FastifyRateLimitOptions> = async (fastify, options) => {
  const { global = true, ...pluginOptions } = options;
  const pluginHook = hookOf(pluginOptions.hook, 'onRequest', 'hook');
  // Every limit of the plugin and its routes, closed with the app.
  const limits: HttpRateLimit<FastifyRequest>[] = [];
  fastify.addHook('onClose', async () => {
    await Promise.all(limits.map((limit) => limit.close()));
  });
  const globalHook = global ? limitHook(pluginOptions, limits) : undefined;

  fastify.decorateRequest('rateLimit', undefined);
  const { requestPropertyName } = pluginOptions;
  if (typeof requestPropertyName === 'string' && requestPropertyName !== 'rateLimit')
    fastify.decorateRequest(requestPropertyName, undefined);
  fastify.addHook('onRoute', (route) => {
    warnMisspeltRouteConfig('@rediware/rate-limit', 'rateLimit', route.config, route);
    const routeOptions = route.config?.rateLimit;
    if (routeOptions === false) return;
    const hooks: Array<[RateLimitHook, onRequestHookHandler]> = [];
    if (globalHook) hooks.push([pluginHook, globalHook]);
    if (routeOptions) {
      const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
      const hook = hookOf(routeOptions.hook, pluginHook, 'config.rateLimit.hook');
      hooks.push([
        hook,
        limitHook(routeLimitOptions(pluginOptions, routeOptions, `${method}${route.url}`), limits),
      ]);
    }
    // Before the route's own hooks of the same kind, the global limit first.
    for (const name of rateLimitHooks) {
      const limits = hooks.filter(([hook]) => hook === name).map(([, handler]) => handler);
      if (limits.length === 0) continue;
      const existing = route[name] === undefined ? [] : [route[name]].flat();
      (route as unknown as Record<RateLimitHook, unknown[]>)[name] = [...limits, ...existing];
    }
  });
};

function hookOf(value: unknown, fallback: RateLimitHook, option: string): RateLimitHook {
  return value === undefined ? fallback : checkOneOf(value, option, rateLimitHooks);
}

/** The hook that applies one limit; its HttpRateLimit joins `limits`, to be closed with the app. */
function limitHook(
  options: FastifyRateLimitRouteOptions,
  limits: HttpRateLimit<FastifyRequest>[],
): onRequestHookHandler {
  const { handler, hook: _hook, requestWasSuccessful, ...rest } = options;
  const http = new HttpRateLimit<FastifyRequest>(rest);
  limits.push(http);
  const succeeded = requestOutcome(
    requestWasSuccessful === undefined
      ? undefined
      : checkFunction<typeof requestWasSuccessful>(requestWasSuccessful, 'requestWasSuccessful'),
  );
  const property = http.requestPropertyName;
  /** Sends the answer, or calls `done` to go on; resolves when a custom handler is done. */
  const apply = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
    decision: RequestDecision | undefined,
  ): Promise<void> | undefined => {
    if (!decision) return void done();
    const holder = request as unknown as Record<string, RateLimitResult | undefined>;
    if (stricter(holder[property], decision.result)) {
      holder[property] = decision.result;
      for (const [name, value] of decision.headers) reply.header(name, value);
    }
    if (!decision.result.allowed) {
      // As after an async hook: the request goes on only if the handler sent nothing.
      if (handler && !decision.banned)
        return Promise.resolve(handler(request, reply, decision.result)).then(() => {
          if (!reply.sent) done();
        });
      const rejection = http.rejection(decision, request);
      if (isPromise(rejection)) return rejection.then((answer) => sendRejection(reply, answer));
      return void sendRejection(reply, rejection);
    }
    // A client that left while the decision was made has had its 'close' already.
    if (http.refunds && (reply.raw.closed || reply.raw.destroyed)) http.settle(decision, false);
    else if (http.refunds) {
      reply.raw.once('close', () =>
        http.settle(
          decision,
          succeeded(request, reply, reply.raw.writableFinished ? reply.statusCode : undefined),
        ),
      );
    }
    done();
  };
  const fail = (reply: FastifyReply, done: HookHandlerDoneFunction, error: unknown): void => {
    const failure = http.failure(error);
    if (failure) sendRejection(reply, failure);
    else done(callbackError(error));
  };
  // Callback style: no promise when the decision is at hand (a client the block cache rejects).
  return (request, reply, done) => {
    let applied: Promise<void> | undefined;
    try {
      const decision = http.check(request, request.ip);
      applied = isPromise(decision)
        ? decision.then(
            (decided) => apply(request, reply, done, decided),
            (error: unknown) => fail(reply, done, error),
          )
        : apply(request, reply, done, decision);
    } catch (error) {
      return fail(reply, done, error);
    }
    // A custom handler that throws or rejects is the application's error, as in an async hook.
    applied?.catch((error: unknown) => done(callbackError(error)));
  };
}

function sendRejection(reply: FastifyReply, rejection: Rejection): void {
  reply.code(rejection.statusCode).type(rejection.contentType).send(rejection.body);
}

/**
 * The rate limit plugin: `app.register(rateLimit, options)` limits every route (unless `global` is
 * false); a route adds its own limit with `config: { rateLimit: options }`, or opts out with `false`.
 * Each request gets `request.rateLimit`.
 */
export default fp(rateLimitPlugin, { fastify: '5.x', name: '@rediware/rate-limit' });
