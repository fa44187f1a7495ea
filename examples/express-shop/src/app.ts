import { createCache } from '@rediware/cache';
import { responseCache } from '@rediware/cache/express';
import type { RedisClient } from '@rediware/core';
import { idempotency } from '@rediware/idempotency/express';
import { createLocker } from '@rediware/lock';
import { lockGuard } from '@rediware/lock/express';
import { rateLimit } from '@rediware/rate-limit/express';
import { RedisStore } from '@rediware/session/express';
import express, { type Express } from 'express';
import session from 'express-session';
import { Catalogue, type Product } from '../../shared/src/catalogue';
import { openDatabase } from '../../shared/src/database';
import { Orders } from '../../shared/src/orders';
import { ShopStats } from '../../shared/src/shop-stats';
import { statusPage } from '../../shared/src/status-page';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
  }
}

export interface ShopOptions {
  /** Redis for every plugin; omitted, each plugin runs on its in-process memory backend. */
  redis?: RedisClient | undefined;
  /** Latency of every catalogue read. */
  readLatencyMs?: number;
  /** How long checkout takes, to make the lock visible. */
  checkoutMs?: number;
  /** Where the data lives, for the status page. */
  backend?: string;
}

export interface Shop {
  app: Express;
  catalogue: Catalogue;
  orders: Orders;
  stats: ShopStats;
  close(): Promise<void>;
}

/**
 * The shop API: cached catalogue, sessions with log-out-everywhere, a locked checkout that a retry
 * with the same Idempotency-Key replays, rate limits.
 */
export async function createShop(options: ShopOptions = {}): Promise<Shop> {
  const { redis } = options;
  const db = await openDatabase();
  const catalogue = new Catalogue(db, options.readLatencyMs);
  const orders = new Orders(db);
  // Two layers: whole HTTP responses, and inside them the product rows (cache-aside).
  // minUses 1: the demo's second request is a hit; in production keep the default 2, so a URL asked
  // once costs no Redis memory (README of @rediware/cache, Admission).
  const pages = responseCache({
    redis,
    prefix: 'shop:http:',
    ttl: '1m',
    staleWhileRevalidate: '30s',
    minUses: 1,
  });
  const rows = createCache({ redis, prefix: 'shop:data:', ttl: '5m' });
  const store = new RedisStore({ redis, prefix: 'shop:sess:', userId: (s) => s.userId });
  const locker = createLocker({ redis, prefix: 'shop:' });
  const checkoutLock = lockGuard({ locker, key: (req) => `cart:${req.params.id}`, ttl: '10s', wait: '5s' });
  // A client that retries a checkout after a timeout sends the same Idempotency-Key: it gets the
  // first order back (Idempotent-Replayed: true) instead of a second charge. Keys are per user (or
  // IP before login), so one client cannot replay another's order.
  const checkoutIdempotency = idempotency({
    redis,
    prefix: 'shop:',
    scope: (req) => (req.session.userId ? `user:${req.session.userId}` : `ip:${req.ip}`),
  });
  const apiLimit = rateLimit({
    redis,
    prefix: 'shop:',
    name: 'api',
    limit: 100,
    window: '1m',
    key: (req) => (req.session.userId ? `user:${req.session.userId}` : `ip:${req.ip}`),
  });
  const loginLimit = rateLimit({
    redis,
    prefix: 'shop:',
    name: 'login',
    algorithm: 'token-bucket',
    limit: 5,
    window: '1m',
  });
  const stats = new ShopStats({
    apiLimit: apiLimit.limiter,
    loginLimit: loginLimit.limiter,
    responseCache: pages,
    dataCache: rows,
    locker,
    checkoutIdempotency: checkoutIdempotency.store,
    sessionStore: store,
  });
  // The catalogue is the same for everyone, so logged-in requests (with a cookie) share it too.
  const catalogueCache = (tags: (req: express.Request) => string[]) =>
    pages.route({ key: () => 'public', tags });

  const app = express();
  app.use(express.json());
  // The status page polls every second: it comes before the rate limit.
  app.get('/', (_req, res) => void res.type('html').send(statusPage));
  app.get('/status.json', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({
      framework: 'Express',
      backend: options.backend ?? '',
      counts: await stats.counts(),
      rates: stats.rates(),
    });
  });
  app.use(session({ store, secret: 'rediware-demo-secret', resave: false, saveUninitialized: false }));
  app.use(apiLimit);

  app.get(
    '/products',
    catalogueCache(() => ['products']),
    async (_req, res) => {
      res.json(await catalogue.list());
    },
  );

  app.get(
    '/products/:id',
    catalogueCache((req) => ['products', `product:${req.params.id}`]),
    async (req, res) => {
      const id = req.params.id as string;
      const product = await rows.wrap(
        `product:${id}`,
        async (ctx) => {
          const found = await catalogue.find(id);
          if (!found) ctx.skip(); // an unknown id is not cached
          return found ?? null;
        },
        { tags: [`product:${id}`] },
      );
      if (!product) return void res.status(404).json({ error: 'no such product' });
      res.json(product);
    },
  );

  app.put('/products/:id', async (req, res) => {
    if (!req.session.userId) return void res.status(401).json({ error: 'log in first' });
    const updated = await catalogue.update(req.params.id, req.body as Partial<Product>);
    if (!updated) return void res.status(404).json({ error: 'no such product' });
    const tags = [`product:${updated.id}`, 'products'];
    await Promise.all([pages.invalidate({ tags }), rows.invalidate({ tags })]);
    res.json(updated);
  });

  app.post('/login', loginLimit, (req, res, next) => {
    const user = String((req.body as { user?: unknown }).user ?? '');
    if (!/^[a-z0-9_-]{1,32}$/i.test(user))
      return void res.status(400).json({ error: 'user: 1-32 letters or digits' });
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = user;
      stats.loggedIn(user);
      res.json({ user });
    });
  });

  app.get('/me', async (req, res) => {
    const userId = req.session.userId;
    if (!userId) return void res.status(401).json({ error: 'log in first' });
    res.json({ user: userId, sessions: (await store.listUserSessions(userId)).length });
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.json({ loggedOut: true })));
  });

  app.post('/logout-everywhere', async (req, res) => {
    const userId = req.session.userId;
    if (!userId) return void res.status(401).json({ error: 'log in first' });
    res.json({ destroyed: await store.destroyUserSessions(userId) });
  });

  // Idempotency before the lock: a replay answers without waiting for the cart.
  app.post('/carts/:id/checkout', checkoutIdempotency, checkoutLock, async (req, res) => {
    await new Promise((resolve) => setTimeout(resolve, options.checkoutMs ?? 200));
    const lock = req.lock;
    if (!lock || lock.signal.aborted) return void res.status(409).json({ error: 'lost the cart lock' });
    res.json(orders.place(req.params.id as string, lock.fencingToken));
  });

  return {
    app,
    catalogue,
    orders,
    stats,
    close: async () => {
      stats.close();
      await Promise.all([
        pages.close(),
        rows.close(),
        store.close(),
        locker.close(),
        checkoutIdempotency.close(),
        apiLimit.limiter.close(),
        loginLimit.limiter.close(),
      ]);
      db.close();
    },
  };
}
