import { responseCache } from '@rediware/cache/express';
import responseCachePlugin from '@rediware/cache/fastify';
import { createPrometheusMetrics } from '@rediware/core/prometheus';
import { idempotency } from '@rediware/idempotency/express';
import idempotencyPlugin from '@rediware/idempotency/fastify';
import { lockGuard } from '@rediware/lock/express';
import lockPlugin from '@rediware/lock/fastify';
import { rateLimit } from '@rediware/rate-limit/express';
import rateLimitPlugin from '@rediware/rate-limit/fastify';
import { RedisStore } from '@rediware/session/express';
import express, { type Express } from 'express';
import session from 'express-session';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

declare module 'express-session' {
  interface SessionData {
    views?: number;
  }
}

export interface AppOptions {
  redis: Redis;
  /** Every plugin of the app reports here; the app serves it at GET /metrics. */
  registry: Registry;
  /** Runs inside the locked route, so a caller can hold the lock as long as it likes. */
  whileLocked?: () => Promise<void>;
}

/** One Express app with every plugin reporting to `registry`; `close` stops what the plugins opened. */
export function createExpressApp({ redis, registry, whileLocked }: AppOptions): {
  app: Express;
  close: () => Promise<void>;
} {
  const metrics = createPrometheusMetrics({ registry });
  const app = express();
  const cache = responseCache({ redis, ttl: '1m', metrics, minUses: 1 });
  const store = new RedisStore({ redis, metrics });
  const guard = lockGuard({ redis, key: () => 'job', ttl: '10s', wait: '10s', metrics });
  const idempotent = idempotency({ redis, metrics });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/limited', rateLimit({ redis, limit: 2, window: '1m', name: 'limited', metrics }), (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/cached', cache, (_req, res) => {
    res.json({ at: Date.now() });
  });
  app.get(
    '/visit',
    session({ store, secret: 'demo', resave: false, saveUninitialized: false }),
    (req, res) => {
      req.session.views = (req.session.views ?? 0) + 1;
      res.json({ views: req.session.views });
    },
  );
  app.post('/job', guard, async (_req, res) => {
    await whileLocked?.();
    res.json({ done: true });
  });
  app.post('/pay', express.json(), idempotent, (_req, res) => {
    res.status(201).json({ paid: true, at: Date.now() });
  });
  const close = async () => {
    await Promise.all([cache.close(), store.close(), guard.close(), idempotent.close()]);
  };
  return { app, close };
}

/** The same on Fastify (sessions aside: @fastify/cookie cannot load inside jest's module sandbox). */
export async function createFastifyApp({
  redis,
  registry,
  whileLocked,
}: AppOptions): Promise<FastifyInstance> {
  const metrics = createPrometheusMetrics({ registry });
  const app = Fastify();
  await app.register(rateLimitPlugin, { redis, limit: 2, window: '1m', global: false, metrics });
  await app.register(responseCachePlugin, { redis, ttl: '1m', metrics, minUses: 1 });
  await app.register(lockPlugin, { redis, metrics });
  await app.register(idempotencyPlugin, { redis, metrics });
  app.get('/metrics', { config: { cache: false } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  app.get(
    '/limited',
    { config: { cache: false, rateLimit: { limit: 2, window: '1m', name: 'limited' } } },
    async () => ({
      ok: true,
    }),
  );
  app.get('/cached', async () => ({ at: Date.now() }));
  app.post('/job', { config: { lock: { key: () => 'job', ttl: '10s', wait: '10s' } } }, async () => {
    await whileLocked?.();
    return { done: true };
  });
  app.post('/pay', { config: { cache: false, idempotency: {} } }, async (_request, reply) =>
    reply.code(201).send({ paid: true, at: Date.now() }),
  );
  return app;
}
