import { responseCache } from '@rediware/cache/express';
import apicache from 'apicache';
import express, { type RequestHandler } from 'express';
import redis3 from 'redis3';
import { ioredisClient } from './redis-clients';
import {
  cachePath,
  cacheTtlMs,
  largeCachePath,
  largePayload,
  mainPath,
  payload,
  slowHandlerMs,
} from './routes';
import type { ServerFactory } from './server-types';

// Every cache configuration sits in front of the same handler, which answers after 20 ms: a hit
// never runs it, a miss does. The miss rows give each request a key of its own, so every request
// looks up, runs the handler and stores.

const slowly =
  (body: object): RequestHandler =>
  (_req, res) => {
    setTimeout(() => void res.json(body), slowHandlerMs);
  };

function withMiddleware(middleware: RequestHandler | undefined): express.Express {
  const app = express();
  app.get(mainPath, (_req, res) => void res.json(payload));
  app.get(cachePath, ...(middleware ? [middleware] : []), slowly(payload));
  app.get(largeCachePath, ...(middleware ? [middleware] : []), slowly(largePayload));
  return app;
}

/** The 20 ms handler with no cache: what every miss costs at least. */
export const expressUncached: ServerFactory = async () => ({
  app: { framework: 'express', app: withMiddleware(undefined) },
  close: async () => {},
});

/** apicache with its supported Redis client (node_redis 3). */
export const expressApicache: ServerFactory = async ({ redisUrl }) => {
  const client = redis3.createClient({ url: redisUrl });
  // @types/apicache names node_redis 2's type, which redis3 does not declare: same API.
  const middleware = apicache.options({ redisClient: client as never }).middleware(cacheTtlMs);
  return {
    app: { framework: 'express', app: withMiddleware(middleware) },
    close: async () => void client.quit(),
  };
};

function rediware(mode: 'l1' | 'l2' | 'miss'): ServerFactory {
  return async ({ redisUrl }) => {
    const redis = await ioredisClient(redisUrl);
    let next = 0;
    const middleware = responseCache({
      redis,
      ttl: cacheTtlMs,
      // Every response stored from its first miss, as the other caches in the table do (and the
      // miss rows measure a miss that stores).
      minUses: 1,
      ...(mode === 'l1' ? { l1: true } : {}),
      ...(mode === 'miss' ? { key: () => `req:${++next}` } : {}),
    });
    return {
      app: { framework: 'express', app: withMiddleware(middleware) },
      close: async () => {
        await middleware.close();
        redis.disconnect();
      },
    };
  };
}

export const expressRediwareL1 = rediware('l1');
export const expressRediwareL2 = rediware('l2');
export const expressRediwareMiss = rediware('miss');
