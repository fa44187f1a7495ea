import { connectIoredis, connectNodeRedis, listenFastify, timed, useFaultyRedis } from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import request from 'supertest';
import { responseCache } from '../src/express';
import fastifyResponseCache from '../src/fastify';
import { frameworks, listenWith } from './neutral-apps';
import { rawGet } from './raw-get';

const faulty = useFaultyRedis();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;

describe('response cache with Redis unreachable', () => {
  it('express: a stalled Redis fails open, the handler answers within the timeout', async () => {
    const cache = responseCache({ redis: await connectIoredis(faulty.proxy().url), ttl: '1m', timeout });
    let calls = 0;
    const app = express();
    app.use(cache);
    app.get('/x', (_req, res) => {
      res.send(`fresh ${++calls}`);
    });
    await request(app).get('/x');
    expect((await request(app).get('/x')).headers['x-cache']).toBe('HIT');
    faulty.proxy().stall();
    const stalled = await timed(request(app).get('/x'));
    expect(stalled.elapsed).toBeLessThan(timeout + margin);
    expect(stalled.value?.status).toBe(200);
    expect(stalled.value?.text).toBe('fresh 2');
    expect(stalled.value?.headers['x-cache']).toBe('MISS');
    // Invalidation fails closed: it must not be lost silently.
    await expect(cache.invalidate({ tags: ['t'] })).rejects.toMatchObject({ code: 'ERR_RW_REDIS_TIMEOUT' });
    faulty.proxy().pass();
    await cache.close();
  });

  it('fastify: a stalled Redis fails open, the handler answers within the timeout', async () => {
    const app = Fastify({ logger: false });
    await app.register(fastifyResponseCache, {
      redis: await connectNodeRedis(faulty.proxy().url),
      ttl: '1m',
      timeout,
    });
    let calls = 0;
    app.get('/y', async () => `fresh ${++calls}`);
    const server = await listenFastify(app);
    await fetch(`${server.url}/y`);
    expect((await fetch(`${server.url}/y`)).headers.get('x-cache')).toBe('HIT');
    faulty.proxy().stall();
    const stalled = await timed(
      fetch(`${server.url}/y`).then(async (response) => ({ response, body: await response.text() })),
    );
    expect(stalled.elapsed).toBeLessThan(timeout + margin);
    expect(stalled.value?.response.status).toBe(200);
    expect(stalled.value?.response.headers.get('x-cache')).toBe('MISS');
    expect(stalled.value?.body).toBe('fresh 2');
    faulty.proxy().pass();
    await server.close();
  });

  it.each(frameworks)(
    '%s: a successful POST is answered within the timeout though its invalidation fails',
    async (framework) => {
      const redis = await connectIoredis(faulty.proxy().url);
      const app = await listenWith(framework, { redis, ttl: '1m', timeout }, () => ({ status: 201 }));
      faulty.proxy().stall();
      const posted = await timed(rawGet(`${app.url}/z`, {}, 'POST'));
      expect(posted.elapsed).toBeLessThan(timeout + margin);
      expect(posted.value?.status).toBe(201);
      faulty.proxy().pass();
      await app.close();
      redis.disconnect();
    },
  );
});
