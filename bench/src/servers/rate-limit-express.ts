import { rateLimit as rediwareRateLimit } from '@rediware/rate-limit/express';
import express, { type RequestHandler } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore as RateLimitRedisStore } from 'rate-limit-redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Algorithm } from './algorithms';
import { ioredisClient } from './redis-clients';
import { blockedLimit, blockedPath, mainPath, payload, underLimit, windowMs } from './routes';
import type { ServerFactory } from './server-types';

// Every limiter keys by client IP (each package's default), so all requests of the load generator
// share one key: the same hot-key pattern for every configuration. `/` is limited far above what
// the run can send, `/blocked` to `blockedLimit` per minute. One ioredis client per server.

type LimitFactory = (redis: Redis, limit: number, name: string) => RequestHandler;

function limitedServer(makeLimit: LimitFactory): ServerFactory {
  return async ({ redisUrl }) => {
    const redis = await ioredisClient(redisUrl);
    const app = express();
    app.get(mainPath, makeLimit(redis, underLimit, 'open'), (_req, res) => void res.json(payload));
    app.get(blockedPath, makeLimit(redis, blockedLimit, 'blocked'), (_req, res) => void res.json(payload));
    return { app: { framework: 'express', app }, close: async () => void redis.disconnect() };
  };
}

export const rediwareExpress = (algorithm: Algorithm): ServerFactory =>
  limitedServer((redis, limit, name) =>
    rediwareRateLimit({ redis, algorithm, limit, window: windowMs, name }),
  );

/** express-rate-limit 8 with rate-limit-redis 6 (fixed window), draft-8 headers like ours. */
export const expressRateLimitRedis: ServerFactory = limitedServer((redis, limit, name) =>
  expressRateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new RateLimitRedisStore({
      prefix: `erl:${name}:`,
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<number | string>,
    }),
  }),
);

/** rate-limiter-flexible's RateLimiterRedis as middleware, the way its README wires it. */
export const rateLimiterFlexibleExpress: ServerFactory = limitedServer((redis, limit, name) => {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `rlf:${name}`,
    points: limit,
    duration: windowMs / 1000,
  });
  return (req, res, next) => {
    limiter.consume(req.ip ?? '').then(
      () => next(),
      (rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) return next(rejection);
        res.set('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
        res.status(429).send('Too Many Requests');
      },
    );
  };
});

/**
 * A reference, not a limiter to use: one plain `INCR` of the client's key per request, no window,
 * no limit, no headers.
 */
export const expressIncrPerRequest: ServerFactory = limitedServer(
  (redis, _limit, name) => (req, _res, next) =>
    void redis.incr(`incr:${name}:${req.ip}`).then(() => next(), next),
);
