import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectNodeRedis,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import request from 'supertest';
import { type ExpressRateLimitOptions, rateLimit } from '../src/express';

let server: RedisServer;
let redis: NodeRedisClient;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

/** Limit 2; `/done` answers 200 with x-done, `/pending` answers 200 without it. */
function app(requestWasSuccessful: NonNullable<ExpressRateLimitOptions['requestWasSuccessful']>) {
  return express()
    .use(
      rateLimit({
        redis,
        prefix: `rwoutcome${++prefixCounter}:`,
        limit: 2,
        window: '1m',
        skipFailedRequests: true,
        requestWasSuccessful,
      }),
    )
    .get('/done', (_req, res) => void res.set('x-done', '1').send('ok'))
    .get('/pending', (_req, res) => void res.send('not yet'));
}

describe('Express: requestWasSuccessful', () => {
  it.each([
    ['sync', (_req: express.Request, res: express.Response) => res.getHeader('x-done') === '1'],
    ['async', async (_req: express.Request, res: express.Response) => res.getHeader('x-done') === '1'],
  ])('%s: a 200 it calls a failure is given back with skipFailedRequests', async (_kind, wasSuccessful) => {
    const server = app(wasSuccessful);
    for (let i = 0; i < 4; i++) {
      await request(server).get('/pending').expect(200);
      await sleep(20); // the refund runs after the response
    }
    await request(server).get('/done').expect(200);
    await request(server).get('/done').expect(200);
    await request(server).get('/done').expect(429);
  });

  it('a callback that throws refunds nothing and breaks nothing', async () => {
    const server = app(() => {
      throw new Error('no');
    });
    await request(server).get('/pending').expect(200);
    await request(server).get('/pending').expect(200);
    await request(server).get('/pending').expect(429);
  });
});
