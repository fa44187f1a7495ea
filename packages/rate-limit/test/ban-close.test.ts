import { useTimerWatch, waitFor } from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import request from 'supertest';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';

// `ban` counts rejections on a limiter of its own: closing the middleware or the app must close it
// too. On the memory backend each limiter sweeps its store on an unref'd interval, which
// process.getActiveResourcesInfo() does not list: async_hooks sees every timer made and cleared.

const timersMadeBy = useTimerWatch();

const banned = { limit: 1, window: '1m', ban: 1 } as const;

describe('ban on the memory backend', () => {
  it('Express: close() closes the ban counter with the limiter, leaving no timer', async () => {
    const { value: limit, live } = await timersMadeBy(() => rateLimit(banned));
    // The limiter's store and the ban counter's.
    expect(live.size).toBe(2);
    const app = express()
      .use(limit)
      .get('/', (_req, res) => void res.send('ok'));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(app).get('/')).status);
    expect(statuses).toEqual([200, 429, 403]);

    await limit.close();
    await waitFor(() => live.size === 0, 1_000);
  });

  it('Express: a limiter given as `limiter` stays open; the ban counter closes', async () => {
    const owned = rateLimit(banned);
    const { value: limit, live } = await timersMadeBy(() => rateLimit({ ...banned, limiter: owned.limiter }));
    expect(live.size).toBe(1);
    await limit.close();
    await waitFor(() => live.size === 0, 1_000);
    expect(await limit.limiter.consume('still-open')).toMatchObject({ allowed: true });
    await owned.close();
  });

  it('Fastify: app.close() closes the limiters and ban counters of the plugin and its routes', async () => {
    const app = Fastify();
    const { live } = await timersMadeBy(async () => {
      await app.register(rateLimitPlugin, { ...banned, limit: 100 });
      app.get('/', async () => 'ok');
      app.get('/login', { config: { rateLimit: { limit: 1, ban: 0 } } }, async () => 'ok');
      await app.ready();
    });
    // A limiter and a ban counter each: the global limit, and the route's on GET and on the HEAD
    // route Fastify adds for it.
    expect(live.size).toBe(6);
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await app.inject({ url: '/login' })).statusCode);
    expect(statuses).toEqual([200, 403]);

    await app.close();
    await waitFor(() => live.size === 0, 1_000);
  });
});
