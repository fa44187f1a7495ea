import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import { createCache } from '@rediware/cache';
import responseCache from '@rediware/cache/fastify';
import type { RedisClient } from '@rediware/core';
import { createIdempotency } from '@rediware/idempotency';
import idempotencyPlugin from '@rediware/idempotency/fastify';
import { createLocker } from '@rediware/lock';
import lockPlugin from '@rediware/lock/fastify';
import { createRateLimiter } from '@rediware/rate-limit';
import rateLimit from '@rediware/rate-limit/fastify';
import { RedisStore } from '@rediware/session/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Catalogue, type Product } from '../../shared/src/catalogue';
import { openDatabase } from '../../shared/src/database';
import { Orders } from '../../shared/src/orders';
import { ShopStats } from '../../shared/src/shop-stats';
import { statusPage } from '../../shared/src/status-page';

declare module 'fastify' {
  interface Session {
    userId?: string;
  }
}

export interface ShopOptions {
  /** Redis for every plugin; omitted, each plugin runs on its in-process memory backend. */
  redis?: RedisClient | undefined;
  /** Where the data lives, for the status page. */
  backend?: string;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** The shop API of the Express example, on Fastify; `app.close()` closes every plugin. */
export async function createShop(options: ShopOptions = {}): Promise<FastifyInstance> {
  const { redis } = options;
  const db = await openDatabase();
  const catalogue = new Catalogue(db);
  const orders = new Orders(db);
  const rows = createCache({ redis, prefix: 'shop:data:', ttl: '5m' });
  const store = new RedisStore({ redis, prefix: 'shop:sess:', userId: (s) => s.userId });
  const app = Fastify();
  const locker = createLocker({ redis, prefix: 'shop:' });
  const checkoutIdempotency = createIdempotency({ redis, prefix: 'shop:' });
  // Built here rather than by the plugin from options, so the status page can read their metrics().
  const apiLimiter = createRateLimiter({ redis, prefix: 'shop:', name: 'api', limit: 100, window: '1m' });
  const loginLimiter = createRateLimiter({
    redis,
    prefix: 'shop:',
    name: 'login',
    algorithm: 'token-bucket',
    limit: 5,
    window: '1m',
  });
  const stats = new ShopStats({
    apiLimit: apiLimiter,
    loginLimit: loginLimiter,
    responseCache: { stats: () => app.responseCache.stats() },
    dataCache: rows,
    locker,
    checkoutIdempotency,
    sessionStore: store,
  });
  app.addHook('onClose', async () => {
    stats.close();
    await Promise.all([
      rows.close(),
      store.close(),
      locker.close(),
      checkoutIdempotency.close(),
      apiLimiter.close(),
      loginLimiter.close(),
    ]);
    db.close();
  });

  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    store,
    secret: 'rediware-demo-secret-of-32-chars!',
    saveUninitialized: false,
    cookie: { secure: false },
  });
  // Registered before the rate limit, so the limit runs first on each route (hits included).
  await app.register(responseCache, {
    redis,
    prefix: 'shop:http:',
    ttl: '1m',
    staleWhileRevalidate: '30s',
    // The demo's second request is a hit; in production keep the default 2 (README of
    // @rediware/cache, Admission).
    minUses: 1,
  });
  await app.register(rateLimit, {
    limiter: apiLimiter,
    key: (request) => (request.session.userId ? `user:${request.session.userId}` : `ip:${request.ip}`),
  });
  // Before the lock plugin, so a replayed checkout answers without waiting for the cart.
  await app.register(idempotencyPlugin, { store: checkoutIdempotency });
  await app.register(lockPlugin, { locker });

  // The status page polls every second: neither limited nor cached.
  const unlimited = { config: { rateLimit: false, cache: false } } as const;
  app.get('/', unlimited, async (_request, reply) => reply.type('text/html').send(statusPage));
  app.get('/status.json', unlimited, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return {
      framework: 'Fastify',
      backend: options.backend ?? '',
      counts: await stats.counts(),
      rates: stats.rates(),
    };
  });

  // The catalogue is the same for everyone, so logged-in requests (with a cookie) share it too.
  const catalogueCache = (tags: (request: FastifyRequest) => string[]) => ({
    config: { cache: { key: () => 'public', tags } },
  });
  app.get(
    '/products',
    catalogueCache(() => ['products']),
    () => catalogue.list(),
  );

  app.get(
    '/products/:id',
    catalogueCache((request) => ['products', `product:${idOf(request)}`]),
    async (request: IdRequest, reply) => {
      const { id } = request.params;
      const product = await rows.wrap(
        `product:${id}`,
        async (ctx) => {
          const found = await catalogue.find(id);
          if (!found) ctx.skip(); // an unknown id is not cached
          return found ?? null;
        },
        { tags: [`product:${id}`] },
      );
      if (!product) return reply.code(404).send({ error: 'no such product' });
      return product;
    },
  );

  app.put('/products/:id', { config: { cache: false } }, async (request: IdRequest, reply) => {
    if (!request.session.userId) return reply.code(401).send({ error: 'log in first' });
    const updated = await catalogue.update(request.params.id, request.body as Partial<Product>);
    if (!updated) return reply.code(404).send({ error: 'no such product' });
    const tags = [`product:${updated.id}`, 'products'];
    await Promise.all([app.responseCache.invalidate({ tags }), rows.invalidate({ tags })]);
    return updated;
  });

  const loginLimit = { limiter: loginLimiter, key: (request: FastifyRequest) => request.ip };
  app.post('/login', { config: { rateLimit: loginLimit } }, async (request, reply) => {
    const user = String((request.body as { user?: unknown } | undefined)?.user ?? '');
    if (!/^[a-z0-9_-]{1,32}$/i.test(user))
      return reply.code(400).send({ error: 'user: 1-32 letters or digits' });
    await request.session.regenerate();
    request.session.userId = user;
    stats.loggedIn(user);
    return { user };
  });

  app.get('/me', { config: { cache: false } }, async (request, reply) => {
    const { userId } = request.session;
    if (!userId) return reply.code(401).send({ error: 'log in first' });
    return { user: userId, sessions: (await store.listUserSessions(userId)).length };
  });

  app.post('/logout', async (request) => {
    await request.session.destroy();
    return { loggedOut: true };
  });

  app.post('/logout-everywhere', async (request, reply) => {
    const { userId } = request.session;
    if (!userId) return reply.code(401).send({ error: 'log in first' });
    return { destroyed: await store.destroyUserSessions(userId) };
  });

  app.post(
    '/carts/:id/checkout',
    {
      config: {
        // A retry with the same Idempotency-Key gets the first order back instead of a second
        // charge. Keys are per user (or IP before login): no client replays another's order.
        idempotency: {
          scope: (request) =>
            request.session.userId ? `user:${request.session.userId}` : `ip:${request.ip}`,
        },
        lock: { key: (request) => `cart:${idOf(request)}`, ttl: '10s', wait: '5s' },
      },
    },
    async (request: IdRequest, reply) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lock = request.lock;
      if (!lock || lock.signal.aborted) return reply.code(409).send({ error: 'lost the cart lock' });
      return orders.place(request.params.id, lock.fencingToken);
    },
  );

  return app;
}
