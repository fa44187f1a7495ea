/**
 * The idempotency plugin for Fastify 5 (default export), with per-route `config.idempotency`.
 *
 * @module @rediware/idempotency/fastify
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { defaultFingerprint } from './fingerprint';
import { holdUntilAnswered } from './flight-response';
import { createIdempotency, type Idempotency } from './idempotency';
import type { IdempotentRequest } from './idempotent-request';
import { type IdempotencyRouteOptions, type IdempotencyStoreOptions, parseRouteOptions } from './options';
import { warnMisspeltIdempotencyConfig } from './route-config-typo';
import {
  createRouteDecision,
  type ProblemAnswer,
  problemContentType,
  replayedHeader,
} from './route-decision';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key this request holds while its handler runs; null on other requests. */
    idempotency: IdempotentRequest | null;
  }
  interface FastifyContextConfig {
    /** Handles the Idempotency-Key header on this route. */
    idempotency?: FastifyIdempotencyRouteOptions | false;
  }
  interface FastifyInstance {
    /** The store of the idempotency plugin (events: `failure`). */
    idempotencyStore: Idempotency;
  }
}

/** A route's `config.idempotency`: write `{ ... } satisfies FastifyIdempotencyRouteOptions` to have it checked. */
export type FastifyIdempotencyRouteOptions = IdempotencyRouteOptions<FastifyRequest>;

/** Options of the plugin: where records live, and defaults for every route's `config.idempotency`. */
export interface IdempotencyPluginOptions extends IdempotencyStoreOptions {
  /**
   * A store to share; when given, `redis`, `prefix`, `timeout`, `lockTtl` and `metrics` are its own.
   * @default a store created from these options
   */
  store?: Idempotency | undefined;
  /**
   * Route options every `config.idempotency` starts from (a route's own win).
   * @default {}
   */
  defaults?: FastifyIdempotencyRouteOptions | undefined;
}

const idempotencyPlugin: FastifyPluginAsync<IdempotencyPluginOptions> = async (fastify, options) => {
  const { store: given, defaults = {}, redis, prefix, timeout, lockTtl, metrics } = options;
  const store = given ?? createIdempotency({ redis, prefix, timeout, lockTtl, metrics });
  fastify.decorate('idempotencyStore', store);
  fastify.decorateRequest('idempotency', null);
  if (given === undefined) fastify.addHook('onClose', () => store.close());
  fastify.addHook('onRoute', (route) => {
    warnMisspeltIdempotencyConfig(route.config, route);
    const config = route.config?.idempotency;
    if (config === undefined || config === false) return;
    const parsed = parseRouteOptions<FastifyRequest>(
      { ...defaults, ...config },
      'config.idempotency',
      fastifyFingerprint,
    );
    const hook = idempotencyPreHandler(store, parsed);
    const existing = route.preHandler;
    route.preHandler =
      existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
  });
};

function idempotencyPreHandler(
  store: Idempotency,
  route: ReturnType<typeof parseRouteOptions<FastifyRequest>>,
): preHandlerHookHandler {
  const decide = createRouteDecision(store, route);
  return function idempotencyHook(request, reply, done) {
    decide(request, request.headers['idempotency-key']).then(
      (outcome) => {
        if (outcome.kind === 'pass') return done();
        if (outcome.kind === 'problem') return void sendProblem(reply, outcome.answer);
        if (outcome.kind === 'replay') {
          const { status, headers, body } = outcome.response;
          return void reply
            .code(status)
            .headers(headers as Record<string, string | string[]>)
            .header(replayedHeader, 'true')
            .send(body);
        }
        request.idempotency = { key: outcome.key, fencingToken: outcome.flight.fencingToken };
        holdUntilAnswered(reply.raw, outcome.flight, route);
        done();
      },
      (error: unknown) => done(error as Error),
    );
  };
}

function fastifyFingerprint(request: FastifyRequest): string {
  return defaultFingerprint({ method: request.method, url: request.url, body: request.body });
}

function sendProblem(reply: FastifyReply, answer: ProblemAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).type(problemContentType).send(answer.body);
}

/** Register once; handle routes with `{ config: { idempotency: { required: true } } }`. */
export default fp(idempotencyPlugin, { fastify: '5.x', name: '@rediware/idempotency' });
