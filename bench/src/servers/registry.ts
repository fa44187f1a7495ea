import type { Algorithm } from './algorithms';
import type { ServerFactory } from './server-types';

// Every server a configuration can run, by id. Imports are dynamic so a child process loads only
// the packages of the one server it runs.

const rateLimitOurs = (algorithm: Algorithm) => ({
  [`express-rw-rate-limit-${algorithm}`]: () =>
    import('./rate-limit-express').then((m) => m.rediwareExpress(algorithm)),
  [`fastify-rw-rate-limit-${algorithm}`]: () =>
    import('./rate-limit-fastify').then((m) => m.rediwareFastify(algorithm)),
});

export const serverFactories: Record<string, () => Promise<ServerFactory>> = {
  'express-bare': () => import('./bare').then((m) => m.expressBare),
  'fastify-bare': () => import('./bare').then((m) => m.fastifyBare),

  ...rateLimitOurs('fixed-window'),
  ...rateLimitOurs('sliding-window'),
  ...rateLimitOurs('sliding-log'),
  ...rateLimitOurs('token-bucket'),
  'express-rate-limit-redis': () => import('./rate-limit-express').then((m) => m.expressRateLimitRedis),
  'express-rate-limiter-flexible': () =>
    import('./rate-limit-express').then((m) => m.rateLimiterFlexibleExpress),
  'express-rate-limit-incr': () => import('./rate-limit-express').then((m) => m.expressIncrPerRequest),
  'fastify-rate-limit-incr': () => import('./rate-limit-fastify').then((m) => m.fastifyIncrPerRequest),
  'fastify-rate-limit-redis': () => import('./rate-limit-fastify').then((m) => m.fastifyRateLimitRedis),
  'fastify-rate-limiter-flexible': () =>
    import('./rate-limit-fastify').then((m) => m.rateLimiterFlexibleFastify),
  'express-rejection-only': () => import('./rejection-only').then((m) => m.expressRejectionOnly),
  'fastify-rejection-only': () => import('./rejection-only').then((m) => m.fastifyRejectionOnly),

  'express-session-memory': () => import('./session-express').then((m) => m.expressMemoryStore),
  'express-session-connect-redis': () => import('./session-express').then((m) => m.expressConnectRedis),
  'express-session-rw': () => import('./session-express').then((m) => m.expressRediwareSession),
  'express-session-rw-every-touch': () =>
    import('./session-express').then((m) => m.expressRediwareSessionEveryTouch),
  'fastify-session-memory': () => import('./session-fastify').then((m) => m.fastifyMemoryStore),
  'fastify-session-connect-redis': () => import('./session-fastify').then((m) => m.fastifyConnectRedis),
  'fastify-session-rw': () => import('./session-fastify').then((m) => m.fastifyRediwareSession),
  'fastify-session-rw-every-touch': () =>
    import('./session-fastify').then((m) => m.fastifyRediwareSessionEveryTouch),

  'express-lock-rw': () => import('./lock-express').then((m) => m.expressRediwareLock),
  'express-lock-redlock': () => import('./lock-express').then((m) => m.expressRedlock),
  'express-lock-redis-semaphore': () => import('./lock-express').then((m) => m.expressRedisSemaphore),
  'express-lock-two-commands': () => import('./lock-express').then((m) => m.expressTwoCommandLock),
  'fastify-lock-rw': () => import('./lock-fastify').then((m) => m.fastifyRediwareLock),
  'fastify-lock-redlock': () => import('./lock-fastify').then((m) => m.fastifyRedlock),
  'fastify-lock-redis-semaphore': () => import('./lock-fastify').then((m) => m.fastifyRedisSemaphore),
  'fastify-lock-two-commands': () => import('./lock-fastify').then((m) => m.fastifyTwoCommandLock),

  'express-cache-uncached': () => import('./cache-express').then((m) => m.expressUncached),
  'express-cache-apicache': () => import('./cache-express').then((m) => m.expressApicache),
  'express-cache-rw-l1': () => import('./cache-express').then((m) => m.expressRediwareL1),
  'express-cache-rw-l2': () => import('./cache-express').then((m) => m.expressRediwareL2),
  'express-cache-rw-miss': () => import('./cache-express').then((m) => m.expressRediwareMiss),
  'fastify-cache-uncached': () => import('./cache-fastify').then((m) => m.fastifyUncached),
  'fastify-cache-rw-l1': () => import('./cache-fastify').then((m) => m.fastifyRediwareL1),
  'fastify-cache-rw-l2': () => import('./cache-fastify').then((m) => m.fastifyRediwareL2),
  'fastify-cache-rw-miss': () => import('./cache-fastify').then((m) => m.fastifyRediwareMiss),

  'express-idempotency-first': () => import('./idempotency-express').then((m) => m.expressIdempotencyFirst),
  'express-idempotency-replay': () => import('./idempotency-express').then((m) => m.expressIdempotencyReplay),
  'fastify-idempotency-first': () => import('./idempotency-fastify').then((m) => m.fastifyIdempotencyFirst),
  'fastify-idempotency-replay': () => import('./idempotency-fastify').then((m) => m.fastifyIdempotencyReplay),
};
