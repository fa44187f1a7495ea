/**
 * A Fastify app with @fastify/session and the RedisStore, run in its own process by
 * app-worker.ts: @fastify/cookie loads `cookie` with a dynamic import(), which jest's module
 * sandbox cannot run, so the real plugin runs here under plain Node (with tsx) instead.
 * Prints `{"url": ...}` once listening; exits when its parent closes stdin.
 */
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import type { CorruptSessionEvent } from '../src';
import { RedisStore } from '../src/fastify';
import { announce, connectWorkerRedis, failStartup, readWorkerConfig, workerSecret } from './app-process';

declare module 'fastify' {
  interface Session {
    userId?: string;
    views?: number;
  }
}

async function main(): Promise<void> {
  const config = readWorkerConfig();
  const redis = await connectWorkerRedis(config.redis);
  const store = new RedisStore({
    redis,
    prefix: config.prefix,
    timeout: config.timeout ?? '2s',
    touchAfter: config.touchAfter,
    userId: (session) => session.userId,
    disableTouch: config.disableTouch,
    disableTTL: config.disableTTL,
    ttl: config.ttlByUser && ((session) => config.ttlByUser?.[session.userId ?? ''] ?? '1h'),
  });
  const corrupt: CorruptSessionEvent[] = [];
  store.on('corrupt', (event) => corrupt.push({ id: event.id, error: String(event.error) }));
  let entered = false;
  let release: () => void = () => {};

  const app = Fastify({ logger: false });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: workerSecret,
    store,
    saveUninitialized: false,
    rolling: config.rolling ?? false,
    cookie: { secure: false, maxAge: config.maxAge ?? 3_600_000 },
  });
  app.post<{ Querystring: { user: string } }>('/login', async (req) => {
    await req.session.regenerate();
    req.session.userId = req.query.user;
    await req.session.save();
    return { id: req.session.sessionId };
  });
  app.get('/me', async (req) => ({
    id: req.session.sessionId,
    user: req.session.userId ?? null,
    views: req.session.views ?? 0,
  }));
  app.post('/count', async (req) => {
    req.session.views = (req.session.views ?? 0) + 1;
    return { views: req.session.views };
  });
  app.post('/count-slowly', async (req) => {
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    entered = true;
    await gate;
    req.session.views = (req.session.views ?? 0) + 100;
    return { views: req.session.views };
  });
  app.post('/logout', async (req) => {
    await req.session.destroy();
    return { ok: true };
  });
  app.post('/logout-everywhere', async (req) => ({
    destroyed: await store.destroyUserSessions(String(req.session.userId)),
  }));
  app.get('/sessions', async (req) => store.listUserSessions(String(req.session.userId)));
  app.get('/test/entered', async () => ({ entered }));
  app.post('/test/release', async () => {
    release();
    return { ok: true };
  });
  app.get('/test/corrupt', async () => corrupt);

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  announce(typeof address === 'object' && address !== null ? address.port : 0);
}

main().catch(failStartup);
