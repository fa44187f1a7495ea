import { createCache } from '@rediware/cache';
import type { RedisClient } from '@rediware/core';
import { lockGuard } from '@rediware/lock/express';
import { rateLimit } from '@rediware/rate-limit/express';
import { RedisStore } from '@rediware/session/express';
import express, { type Express } from 'express';
import session from 'express-session';
import { Catalogue, type Product } from './catalogue';
import { Orders } from './orders';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
  }
}

export interface ShopOptions {
  /** Redis for every plugin; omitted, each plugin runs on its in-process memory backend. */
  redis?: RedisClient | undefined;
  catalogue?: Catalogue;
  /** How long checkout takes, to make the lock visible. */
  checkoutMs?: number;
}

export interface Shop {
  app: Express;
  catalogue: Catalogue;
  orders: Orders;
  close(): Promise<void>;
}

/** The shop API: cached catalogue, sessions with log-out-everywhere, locked checkout, rate limits. */
export function createShop(options: ShopOptions = {}): Shop {
  const { redis } = options;
  const catalogue = options.catalogue ?? new Catalogue();
  const orders = new Orders();
  const cache = createCache({ redis, prefix: 'shop:', ttl: '1m', staleWhileRevalidate: '30s' });
  const store = new RedisStore({ redis, prefix: 'shop:sess:', touchAfter: '1m', userId: (s) => s.userId });
  const checkoutLock = lockGuard({
    redis,
    prefix: 'shop:',
    key: (req) => `cart:${req.params.id}`,
    ttl: '10s',
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

  const app = express();
  app.use(express.json());
  app.use(session({ store, secret: 'rediware-demo-secret', resave: false, saveUninitialized: false }));
  app.use(apiLimit);

  app.get('/products', async (_req, res) => {
    const { value, status } = await cache.wrapWithStatus('products', () => catalogue.list(), {
      tags: ['products'],
    });
    res.set('X-Data-Cache', status).json(value);
  });

  app.get('/products/:id', async (req, res) => {
    const id = req.params.id;
    const { value, status } = await cache.wrapWithStatus(
      `product:${id}`,
      async (ctx) => {
        const product = await catalogue.find(id);
        if (!product) ctx.skip();
        return product ?? null;
      },
      { tags: ['products', `product:${id}`] },
    );
    if (!value) return void res.status(404).json({ error: 'no such product' });
    res.set('X-Data-Cache', status).json(value);
  });

  app.put('/products/:id', async (req, res) => {
    if (!req.session.userId) return void res.status(401).json({ error: 'log in first' });
    const updated = await catalogue.update(req.params.id, req.body as Partial<Product>);
    if (!updated) return void res.status(404).json({ error: 'no such product' });
    await cache.invalidate({ tags: [`product:${updated.id}`, 'products'] });
    res.json(updated);
  });

  app.post('/login', loginLimit, (req, res, next) => {
    const user = String((req.body as { user?: unknown }).user ?? '');
    if (!/^[a-z0-9_-]{1,32}$/i.test(user))
      return void res.status(400).json({ error: 'user: 1-32 letters or digits' });
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = user;
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

  app.post('/carts/:id/checkout', checkoutLock, async (req, res) => {
    await new Promise((resolve) => setTimeout(resolve, options.checkoutMs ?? 200));
    const lock = req.lock;
    if (!lock || lock.signal.aborted) return void res.status(409).json({ error: 'lost the cart lock' });
    res.json(orders.place(req.params.id as string, lock.fencingToken));
  });

  // The same counters the plugins send to a `metrics` sink (Prometheus, OpenTelemetry).
  app.get('/status', (_req, res) => {
    res.json({
      rateLimit: { api: apiLimit.limiter.metrics(), login: loginLimit.limiter.metrics() },
      cache: cache.metrics(),
      session: store.metrics(),
      lock: checkoutLock.locker.metrics(),
    });
  });

  app.get('/', (_req, res) => {
    res
      .type('text/plain')
      .send(
        [
          'rediware demo shop',
          'GET  /products, /products/:id     cached (X-Data-Cache: hit | stale | miss)',
          'PUT  /products/:id                 updates and invalidates by tag (logged in)',
          'POST /login {"user":"alice"}       5 per minute per IP (token bucket)',
          'GET  /me, POST /logout, POST /logout-everywhere',
          'POST /carts/:id/checkout           one checkout per cart at a time (409 when busy)',
          "GET  /status                       the plugins' counters (rate limit, cache, session, lock)",
        ].join('\n'),
      );
  });

  return {
    app,
    catalogue,
    orders,
    close: async () => {
      await Promise.all([
        cache.close(),
        store.close(),
        checkoutLock.close(),
        apiLimit.limiter.close(),
        loginLimit.limiter.close(),
      ]);
    },
  };
}
