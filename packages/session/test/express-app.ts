/**
 * An Express app with express-session and the RedisStore, run in its own process by app-worker.ts
 * (the same routes as fastify-app.ts), so tests can run several app processes on one Redis.
 * Prints `{"url": ...}` once listening; exits when its parent closes stdin.
 */
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { RedisStore } from '../src/express';
import { announce, connectWorkerRedis, failStartup, readWorkerConfig, workerSecret } from './app-process';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    views?: number;
  }
}

async function main(): Promise<void> {
  const config = readWorkerConfig();
  const store = new RedisStore({
    redis: await connectWorkerRedis(config.redis),
    prefix: config.prefix,
    timeout: config.timeout ?? '2s',
    touchAfter: config.touchAfter,
    userId: (data) => data.userId,
  });
  const app = express();
  app.use(
    session({
      store,
      secret: workerSecret,
      resave: false,
      saveUninitialized: false,
      rolling: config.rolling ?? false,
      cookie: { secure: false, maxAge: config.maxAge ?? 3_600_000 },
    }),
  );
  app.post('/login', (req, res, next) => {
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = String(req.query.user);
      req.session.save((saveError) => (saveError ? next(saveError) : res.json({ id: req.sessionID })));
    });
  });
  app.get('/me', (req, res) => {
    res.json({ id: req.sessionID, user: req.session.userId ?? null, views: req.session.views ?? 0 });
  });
  app.post('/count', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.json({ views: req.session.views });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.json({ ok: true })));
  });
  app.post('/logout-everywhere', async (req, res) => {
    res.json({ destroyed: await store.destroyUserSessions(String(req.session.userId)) });
  });
  app.get('/sessions', async (req, res) => {
    res.json(await store.listUserSessions(String(req.session.userId)));
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(error.statusCode ?? 500).json({ code: error.code ?? 'unknown' });
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
}

main().catch(failStartup);
