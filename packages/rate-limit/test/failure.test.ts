import type { FailureEvent } from '@rediware/core';
import { connectIoredis, connectNodeRedis, listenFastify, useFaultyRedis, waitFor } from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import request from 'supertest';
import { createRateLimiter } from '../src';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';

const faulty = useFaultyRedis();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;

describe('rate limit fail policy', () => {
  it('fails open within the timeout when Redis stalls, emits a failure, and recovers', async () => {
    const limiter = createRateLimiter({
      redis: await connectNodeRedis(faulty.proxy().url),
      limit: 1,
      window: '1m',
      timeout,
    });
    const failures: FailureEvent[] = [];
    limiter.on('failure', (event) => failures.push(event));
    expect((await limiter.consume('k')).allowed).toBe(true);
    faulty.proxy().stall();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.consume('k')));
    expect(Date.now() - started).toBeLessThan(timeout + margin);
    expect(results.every((result) => result.allowed)).toBe(true);
    expect(failures.length).toBe(20);
    expect(failures[0]).toMatchObject({
      operation: 'consume',
      failedOpen: true,
      error: { code: 'ERR_RW_REDIS_TIMEOUT' },
    });
    faulty.proxy().pass();
    // Back on Redis, which still holds the first admission: the limit applies again.
    await waitFor(async () => !(await limiter.consume('k')).allowed);
    await limiter.close();
  });

  it('with memoryFallback, keeps limiting in process while Redis is down', async () => {
    const limiter = createRateLimiter({
      redis: await connectIoredis(faulty.proxy().url),
      limit: 2,
      window: '1m',
      timeout,
      memoryFallback: true,
    });
    faulty.proxy().refuse();
    const results = await Promise.all(Array.from({ length: 5 }, () => limiter.consume('fallback')));
    expect(results.filter((result) => result.allowed)).toHaveLength(2);
    await limiter.close();
  });

  it('Express: requests are served while Redis is down; failOpen false answers 503 in time', async () => {
    const redis = await connectNodeRedis(faulty.proxy().url);
    const open = express()
      .use(rateLimit({ redis, limit: 1, window: '1m', timeout }))
      .get('/', (_req, res) => void res.send('ok'));
    const closed = express()
      .use(rateLimit({ redis, limit: 1, window: '1m', timeout, failOpen: false }))
      .get('/', (_req, res) => void res.send('ok'));
    faulty.proxy().stall();
    const started = Date.now();
    for (let i = 0; i < 3; i++) await request(open).get('/').expect(200);
    const refused = await request(closed).get('/');
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.text)).toMatchObject({
      status: 503,
      // The open app found Redis down first: the client fails the closed app's call at once.
      type: expect.stringMatching(/ERR_RW_REDIS_(TIMEOUT|UNAVAILABLE)$/),
    });
    expect(Date.now() - started).toBeLessThan(4 * (timeout + margin));
  });

  /** A Fastify app limited through the faulty Redis, listening on a loopback port. */
  async function serveFastify(failOpen: boolean) {
    const app = Fastify();
    const redis = await connectIoredis(faulty.proxy().url);
    await app.register(rateLimitPlugin, { redis, limit: 1, window: '1m', timeout, failOpen });
    app.get('/', async () => 'ok');
    return listenFastify(app);
  }

  it('Fastify: failOpen false answers a 503 problem within the timeout', async () => {
    const listening = await serveFastify(false);
    faulty.proxy().refuse();
    const response = await fetch(`${listening.url}/`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await listening.close();
  });

  it('Fastify: requests are served while Redis is down', async () => {
    const listening = await serveFastify(true);
    faulty.proxy().refuse();
    for (let i = 0; i < 3; i++) expect((await fetch(`${listening.url}/`)).status).toBe(200);
    await listening.close();
  });
});
