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
const prefix = () => `rwplan${++prefixCounter}:`;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

function app(options: Omit<ExpressRateLimitOptions, 'redis' | 'prefix'>) {
  return express()
    .use(
      rateLimit({
        redis,
        prefix: prefix(),
        window: '1m',
        key: (req) => String(req.headers['x-user']),
        ...options,
      }),
    )
    .get('/', (req, res) => {
      res.json(req.rateLimit);
    });
}
const plans: Record<string, number> = { free: 1, pro: 3 };

describe('Express: limit as a function of the request', () => {
  it.each([
    ['sync', (req: express.Request) => plans[String(req.headers['x-plan'])] ?? 0],
    ['async', async (req: express.Request) => plans[String(req.headers['x-plan'])] ?? 0],
  ])('%s: each request gets its plan limit, in the headers too', async (_kind, limit) => {
    const server = app({ limit });
    const free = () => request(server).get('/').set('x-user', 'ann').set('x-plan', 'free');
    const pro = () => request(server).get('/').set('x-user', 'bob').set('x-plan', 'pro');
    const first = await free().expect(200);
    expect(first.headers['ratelimit-policy']).toBe('"default";q=1;w=60');
    await free().expect(429);
    for (let i = 0; i < 3; i++) {
      const response = await pro().expect(200);
      expect(response.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
      expect(response.body).toMatchObject({ limit: 3, remaining: 2 - i });
    }
    const rejected = await pro().expect(429);
    expect(rejected.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
    // An unknown plan gets 0: rejected at once, told to come back in a window.
    const unknown = await request(server).get('/').set('x-user', 'eve').set('x-plan', 'none').expect(429);
    expect(unknown.headers['retry-after']).toBe('60');
  });

  it('limit: 0 rejects every request', async () => {
    const server = app({ limit: 0 });
    const response = await request(server).get('/').set('x-user', 'ann').expect(429);
    expect(response.headers['retry-after']).toBe('60');
    expect(JSON.parse(response.text)).toMatchObject({ status: 429 });
  });

  it('a limit function that throws, or returns a negative limit, is an error for the app, not a pass', async () => {
    const server = app({
      limit: (req) => (req.headers['x-plan'] === 'bad' ? -1 : Promise.reject(new Error('no plan'))),
    });
    await request(server).get('/').set('x-user', 'ann').set('x-plan', 'bad').expect(500);
    await request(server).get('/').set('x-user', 'ann').expect(500);
  });
});
