/**
 * A Fastify app with @fastify/session and the RedisStore, run in its own process by
 * fastify-worker.ts: @fastify/cookie loads `cookie` with a dynamic import(), which jest's module
 * sandbox cannot run, so the real plugin runs here under plain Node (with tsx) instead.
 * Prints `{"url": ...}` once listening; exits when its parent closes stdin.
 */
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { Duration } from '@rediware/core';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { createCluster } from 'redis';
import type { CorruptSessionEvent } from '../src';
import { RedisStore } from '../src/fastify';

declare module 'fastify' {
  interface Session {
    userId?: string;
    views?: number;
  }
}

export type WorkerRedis = { kind: 'ioredis'; url: string } | { kind: 'node-redis-cluster'; urls: string[] };

export interface WorkerConfig {
  redis: WorkerRedis;
  prefix: string;
  rolling?: boolean;
  touchAfter?: Duration;
  timeout?: Duration;
}

async function connect(redis: WorkerRedis) {
  if (redis.kind === 'ioredis') {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 }).on('error', () => {});
    await client.connect();
    return client;
  }
  const cluster = createCluster({ rootNodes: redis.urls.map((url) => ({ url })) }).on('error', () => {});
  await cluster.connect();
  return cluster;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.RW_WORKER_CONFIG ?? '{}') as WorkerConfig;
  const redis = await connect(config.redis);
  const store = new RedisStore({
    redis,
    prefix: config.prefix,
    timeout: config.timeout ?? '2s',
    touchAfter: config.touchAfter,
    userId: (session) => session.userId,
  });
  const corrupt: CorruptSessionEvent[] = [];
  store.on('corrupt', (event) => corrupt.push({ id: event.id, error: String(event.error) }));
  let entered = false;
  let release: () => void = () => {};

  const app = Fastify({ logger: false });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: 'a test secret of at least 32 characters',
    store,
    saveUninitialized: false,
    rolling: config.rolling ?? false,
    cookie: { secure: false, maxAge: 3_600_000 },
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
  app.get('/test/entered', async () => ({ entered }));
  app.post('/test/release', async () => {
    release();
    return { ok: true };
  });
  app.get('/test/corrupt', async () => corrupt);

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);

  const shutdown = () => process.exit(0);
  process.stdin.on('end', shutdown).on('close', shutdown).resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
