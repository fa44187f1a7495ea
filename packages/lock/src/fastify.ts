/**
 * The lock guard plugin for Fastify 5 (default export), with per-route `config.lock`.
 *
 * @module @rediware/lock/fastify
 */

import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  preHandlerHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import fp from 'fastify-plugin';
import { ClientGone } from './client-gone';
import {
  createGuard,
  type GuardResponse,
  guardLocker,
  isThenable,
  lostResponse,
  problemContentType,
} from './guard';
import type { Lock } from './held-lock';
import type { Locker } from './locker';
import { type GuardRouteOptions, type LockerOptions, parseGuardRouteOptions } from './options';
import { warnMisspeltLockConfig } from './route-config-typo';

declare module 'fastify' {
  interface FastifyRequest {
    /** The lock this route's `config.lock` holds for the request; null on routes without one. */
    lock: Lock | null;
  }
  interface FastifyContextConfig {
    /** Locks a key computed from the request while the route runs. */
    lock?: FastifyLockRouteOptions | false;
  }
  interface FastifyInstance {
    /** The locker of the lock plugin, for locks outside routes and for its events. */
    locker: Locker;
  }
}

/** A route's `config.lock`: write `{ ... } satisfies FastifyLockRouteOptions` to have it checked where it is written. */
export type FastifyLockRouteOptions = GuardRouteOptions<FastifyRequest>;

/** Options of the plugin: `app.register(lock, options)`. */
export interface LockPluginOptions extends LockerOptions {
  /**
   * A locker to share; when given, `redis`, `prefix` and `timeout` are its own.
   * @default a locker created from these options
   */
  locker?: Locker | undefined;
}

/** Where the guard keeps a request's ClientGone, for the handler wrapper to report to. */
const heldBy = Symbol('rediware.lock.heldBy');

type GuardedRequest = FastifyRequest & { [heldBy]: ClientGone | null };

const lockPlugin: FastifyPluginAsync<LockPluginOptions> = async (fastify, options) => {
  const { locker, owned } = guardLocker(options);
  fastify.decorate('locker', locker);
  fastify.decorateRequest('lock', null);
  fastify.decorateRequest(heldBy, null);
  if (owned) fastify.addHook('onClose', () => locker.close());
  fastify.addHook('onRoute', (route) => {
    warnMisspeltLockConfig(route.config, route);
    const config = route.config?.lock;
    if (config === undefined || config === false) return;
    const guard = lockPreHandler(locker, parseGuardRouteOptions<FastifyRequest>(config, 'config.lock'));
    const existing = route.preHandler;
    route.preHandler =
      existing === undefined ? [guard] : [...(Array.isArray(existing) ? existing : [existing]), guard];
    route.handler = showHandlerToGuard(route.handler);
  });
};

/**
 * The route's handler, showing the guard its promise: a client that disconnected does not release
 * the lock, the handler being done does.
 */
function showHandlerToGuard(handler: RouteHandlerMethod): RouteHandlerMethod {
  return function lockedHandler(request, reply) {
    const result = handler.call(this, request, reply);
    if (isThenable(result)) (request as GuardedRequest)[heldBy]?.handlerRunning(result);
    return result;
  };
}

function lockPreHandler(
  locker: Locker,
  route: ReturnType<typeof parseGuardRouteOptions<FastifyRequest>>,
): preHandlerHookHandler {
  const enter = createGuard(locker, route);
  // Callback style: the request goes on with done(); an answer sent here (or a hijack) ends it.
  return function lockGuard(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const cancel = new ClientGone(reply.raw);
    enter(request, cancel).then(
      (outcome) => {
        if (outcome.kind !== 'held') cancel.stop();
        if (outcome.kind === 'cancelled') return void reply.hijack();
        if (outcome.kind === 'refused') return void send(reply, outcome.response);
        const { lock } = outcome;
        if (!cancel.holdUntilDone(lock)) return void reply.hijack();
        request.lock = lock;
        (request as GuardedRequest)[heldBy] = cancel;
        lock.onLost((error) => {
          if (!reply.sent) send(reply, lostResponse(error, route.statusCode));
        });
        done();
      },
      (error: unknown) => {
        cancel.stop();
        done(error as Error);
      },
    );
  };
}

function send(reply: FastifyReply, response: GuardResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).type(problemContentType).send(response.body);
}

/** Register once; lock routes with `{ config: { lock: { key: (request) => ..., ttl: '10s' } } }`. */
export default fp(lockPlugin, { fastify: '5.x', name: '@rediware/lock' });
