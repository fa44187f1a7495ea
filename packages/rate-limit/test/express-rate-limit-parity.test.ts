import {
  closeAllClients,
  connectNodeRedis,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import request from 'supertest';
import { rateLimit } from '../src/express';

// The "after" example of docs/migrating/express-rate-limit.md, request by request (Express 4 and 5).

let server: RedisServer;
let redis: NodeRedisClient;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

async function isPro(req: express.Request): Promise<boolean> {
  return req.headers.authorization === 'pro';
}

function guideApp(limits: { pro: number; free: number }) {
  const app = express();
  app.use(
    rateLimit({
      redis,
      prefix: 'rl:',
      algorithm: 'fixed-window',
      window: '15m',
      limit: async (req) => ((await isPro(req)) ? limits.pro : limits.free),
      headers: 'draft-6',
      message: { error: 'Too many requests, please try again later.' },
      skip: (req) => req.path === '/health',
      key: (req) => String(req.headers['x-client']),
    }),
  );
  app.get('/', (req, res) => {
    res.json({ left: req.rateLimit?.remaining });
  });
  app.get('/health', (_req, res) => void res.send('ok'));
  return app;
}

describe('express-rate-limit guide', () => {
  it('limits per plan with draft-6 headers and the JSON message, and skips /health', async () => {
    const app = guideApp({ pro: 3, free: 1 });
    const as = (client: string, plan?: string) => {
      const sent = request(app).get('/').set('x-client', client);
      return plan ? sent.set('authorization', plan) : sent;
    };
    const free = await as('a').expect(200);
    expect(free.body).toEqual({ left: 0 });
    expect(free.headers['ratelimit-limit']).toBe('1');
    expect(free.headers['ratelimit-remaining']).toBe('0');
    expect(free.headers['ratelimit-policy']).toBe('1;w=900');
    expect(Number(free.headers['ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(free.headers['ratelimit-reset'])).toBeLessThanOrEqual(900);
    const rejected = await as('a').expect(429);
    expect(rejected.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(rejected.body).toEqual({ error: 'Too many requests, please try again later.' });
    expect(Number(rejected.headers['retry-after'])).toBeGreaterThan(0);
    for (const left of [2, 1, 0]) expect((await as('b', 'pro').expect(200)).body).toEqual({ left });
    await as('b', 'pro').expect(429);
    const health = await request(app).get('/health').set('x-client', 'a').expect(200);
    expect(health.headers['ratelimit-limit']).toBeUndefined();
  });
});
