import fastifyRateLimit from '@fastify/rate-limit';
import rediwareRateLimit from '@rediware/rate-limit/fastify';
import type { onRequestHookHandler } from 'fastify';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Algorithm } from './algorithms';
import { fastifyServer } from './fastify-server';
import { blockedLimit, blockedPath, mainPath, payload, underLimit, windowMs } from './routes';
import type { ServerFactory } from './server-types';

// As in rate-limit-express.ts: keyed by client IP, `/` far under the limit, `/blocked` at
// `blockedLimit` per minute, one ioredis client per server. Each plugin is registered with
// `global: false` and limits the two routes through its per-route config.

export const rediwareFastify = (algorithm: Algorithm): ServerFactory =>
  fastifyServer(async (app, redis) => {
    await app.register(rediwareRateLimit, { redis, algorithm, global: false });
    app.get(
      mainPath,
      { config: { rateLimit: { limit: underLimit, window: windowMs, name: 'open' } } },
      async () => payload,
    );
    app.get(
      blockedPath,
      { config: { rateLimit: { limit: blockedLimit, window: windowMs, name: 'blocked' } } },
      async () => payload,
    );
  });

/** @fastify/rate-limit 11 on the same ioredis client (its Redis store). */
export const fastifyRateLimitRedis: ServerFactory = fastifyServer(async (app, redis) => {
  await app.register(fastifyRateLimit, { global: false, redis });
  app.get(
    mainPath,
    { config: { rateLimit: { max: underLimit, timeWindow: windowMs } } },
    async () => payload,
  );
  app.get(
    blockedPath,
    { config: { rateLimit: { max: blockedLimit, timeWindow: windowMs } } },
    async () => payload,
  );
});

/** rate-limiter-flexible's RateLimiterRedis as an onRequest hook. */
export const rateLimiterFlexibleFastify: ServerFactory = fastifyServer(async (app, redis) => {
  const hook = (limit: number, name: string): onRequestHookHandler => {
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `rlf:${name}`,
      points: limit,
      duration: windowMs / 1000,
    });
    return async (request, reply) => {
      try {
        await limiter.consume(request.ip);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return reply
          .code(429)
          .header('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)))
          .send('Too Many Requests');
      }
    };
  };
  app.get(mainPath, { onRequest: hook(underLimit, 'open') }, async () => payload);
  app.get(blockedPath, { onRequest: hook(blockedLimit, 'blocked') }, async () => payload);
});

/** As in rate-limit-express.ts: one plain `INCR` per request, a reference, not a limiter. */
export const fastifyIncrPerRequest: ServerFactory = fastifyServer(async (app, redis) => {
  const hook =
    (name: string): onRequestHookHandler =>
    async (request) =>
      void (await redis.incr(`incr:${name}:${request.ip}`));
  app.get(mainPath, { onRequest: hook('open') }, async () => payload);
  app.get(blockedPath, { onRequest: hook('blocked') }, async () => payload);
});
