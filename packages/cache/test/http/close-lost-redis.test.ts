import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeClient,
  connectIoredis,
  connectNodeRedis,
  listenExpress,
  startRedis,
  useCleanup,
} from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import { responseCache as expressResponseCache } from '../../src/express';
import fastifyResponseCache from '../../src/fastify';

const timeout = 200;
/** close() must resolve within the timeout; a generous bound for a loaded machine. */
const closeBoundMs = timeout + 1000;

const clients = [
  { name: 'node-redis', connect: connectNodeRedis },
  { name: 'ioredis', connect: connectIoredis },
] as const;

/** Resolves with how long `close` took, or rejects when it is still pending after 5 s. */
async function closeTime(close: () => Promise<unknown>): Promise<number> {
  const startedAt = Date.now();
  const hung = sleep(5_000).then(() => {
    throw new Error('close() still pending after 5 s');
  });
  await Promise.race([close(), hung]);
  return Date.now() - startedAt;
}

describe.each(clients)('close() with Redis lost, on $name', ({ connect }) => {
  const defer = useCleanup();

  async function lostClient() {
    const server = await startRedis();
    defer(() => server.stop());
    const redis = await connect(server.url);
    defer(() => closeClient(redis));
    return { redis, server };
  }

  it.each([false, true])(
    'Express: Redis gone before the cache was made (l1 %s), after a request: close resolves in time',
    async (l1) => {
      const { redis, server } = await lostClient();
      await server.stop();
      const cache = expressResponseCache({ redis, ttl: '1m', timeout, l1, minUses: 1 });
      const app = express();
      app.use(cache);
      app.get('/a', (_req, res) => {
        res.send('a');
      });
      const listening = await listenExpress(app);
      defer(() => listening.close());
      const response = await fetch(`${listening.url}/a`);
      expect(await response.text()).toBe('a');
      expect(await closeTime(() => cache.close())).toBeLessThan(closeBoundMs);
    },
  );

  it('Express: Redis gone after the cache subscribed (l1): close resolves in time', async () => {
    const { redis, server } = await lostClient();
    const cache = expressResponseCache({ redis, ttl: '1m', timeout, l1: true, minUses: 1 });
    const app = express();
    app.use(cache);
    app.get('/a', (_req, res) => {
      res.send('a');
    });
    const listening = await listenExpress(app);
    defer(() => listening.close());
    await fetch(`${listening.url}/a`);
    await sleep(100);
    await server.stop();
    await fetch(`${listening.url}/a`);
    expect(await closeTime(() => cache.close())).toBeLessThan(closeBoundMs);
  });

  it.each([false, true])(
    'Fastify: Redis gone before register (l1 %s), after a request: app.close() resolves in time',
    async (l1) => {
      const { redis, server } = await lostClient();
      await server.stop();
      const app = Fastify({ logger: false });
      await app.register(fastifyResponseCache, { redis, ttl: '1m', timeout, l1, minUses: 1 });
      app.get('/a', async () => 'a');
      const response = await app.inject({ url: '/a' });
      expect(response.body).toBe('a');
      expect(await closeTime(() => app.close())).toBeLessThan(closeBoundMs);
    },
  );
});
