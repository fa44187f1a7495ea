import rediwareCache from '@rediware/cache/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
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

// As in cache-express.ts: the same 20 ms handler behind each configuration. Fastify has no
// established shared response cache on Redis to put beside ours, so these rows have no anchor.

const slowly =
  <Body>(body: Body) =>
  () =>
    new Promise<Body>((resolve) => setTimeout(() => resolve(body), slowHandlerMs));

function routes(app: FastifyInstance): void {
  app.get(mainPath, async () => payload);
  app.get(cachePath, slowly(payload));
  app.get(largeCachePath, slowly(largePayload));
}

export const fastifyUncached: ServerFactory = async () => {
  const app = Fastify({ logger: false });
  routes(app);
  return { app: { framework: 'fastify', app }, close: async () => {} };
};

function rediware(mode: 'l1' | 'l2' | 'miss'): ServerFactory {
  return async ({ redisUrl }) => {
    const redis = await ioredisClient(redisUrl);
    const app = Fastify({ logger: false });
    let next = 0;
    await app.register(rediwareCache, {
      redis,
      ttl: cacheTtlMs,
      // Every response stored from its first miss, as the other caches in the table do (and the
      // miss rows measure a miss that stores).
      minUses: 1,
      ...(mode === 'l1' ? { l1: true } : {}),
      ...(mode === 'miss' ? { key: () => `req:${++next}` } : {}),
    });
    routes(app);
    return { app: { framework: 'fastify', app }, close: async () => void redis.disconnect() };
  };
}

export const fastifyRediwareL1 = rediware('l1');
export const fastifyRediwareL2 = rediware('l2');
export const fastifyRediwareMiss = rediware('miss');
