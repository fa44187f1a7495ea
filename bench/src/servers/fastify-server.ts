import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { ioredisClient } from './redis-clients';
import type { ServerFactory } from './server-types';

/** A Fastify server on its own ioredis client, set up by `setup`; closing it disconnects the client. */
export function fastifyServer(setup: (app: FastifyInstance, redis: Redis) => Promise<void>): ServerFactory {
  return async ({ redisUrl }) => {
    const redis = await ioredisClient(redisUrl);
    const app = Fastify({ logger: false });
    await setup(app, redis);
    return { app: { framework: 'fastify', app }, close: async () => void redis.disconnect() };
  };
}
