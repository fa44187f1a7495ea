/**
 * An Express app with express-session and the RedisStore, run in its own process by app-worker.ts
 * (the same routes as fastify-app.ts), so tests can run several app processes on one Redis.
 * Prints `{"url": ...}` once listening; exits when its parent closes stdin.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { RedisStore } from '../src/express';
import { announce, connectWorkerRedis, failStartup, readWorkerConfig, workerSecret } from './app-process';
import { addSessionRoutes, sessionErrors } from './express-routes';

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
  addSessionRoutes(app, store);
  app.use(sessionErrors);
  const server = app.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
}

main().catch(failStartup);
