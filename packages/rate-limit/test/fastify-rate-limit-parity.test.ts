import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify from 'fastify';
import rateLimit from '../src/fastify';

// The "after" example of docs/migrating/fastify-rate-limit.md, request by request.

let server: RedisServer;
let redis: IoredisClient;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

async function guideApp(limits: { pro: number; free: number }, exceeded: string[]) {
  const app = Fastify();
  await app.register(rateLimit, {
    redis,
    prefix: 'rl-',
    algorithm: 'fixed-window',
    limit: async (request) => (request.headers['x-plan'] === 'pro' ? limits.pro : limits.free),
    window: '1m',
    headers: 'legacy',
    // The guide's allowList of 127.0.0.1; inject always comes from 127.0.0.1, so a header stands in.
    skip: (request) => request.headers['x-forwarded-for'] === '127.0.0.1',
    key: (request) => String(request.headers['x-api-key'] ?? request.ip),
    ban: 1,
    onExceeded: (_request, key) => exceeded.push(key),
    message: (request) => ({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit exceeded, retry in ${Math.ceil((request.rateLimit?.retryAfterMs ?? 0) / 1000)} s`,
    }),
  });
  app.get('/', async () => 'ok');
  app.post('/login', { config: { rateLimit: { limit: 1 } } }, async () => 'ok');
  return app;
}

describe('@fastify/rate-limit guide', () => {
  it('limits per plan and per key, with legacy headers, the message function and ban', async () => {
    const exceeded: string[] = [];
    const app = await guideApp({ pro: 3, free: 1 }, exceeded);
    const get = (headers: Record<string, string>) => app.inject({ url: '/', headers });
    const first = await get({ 'x-api-key': 'k1' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('1');
    expect(first.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(first.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);
    const rejected = await get({ 'x-api-key': 'k1' });
    expect(rejected.statusCode).toBe(429);
    expect(rejected.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit exceeded, retry in ${rejected.headers['retry-after']} s`,
    });
    // ban: 1 — the second rejection in the window is a 403.
    expect((await get({ 'x-api-key': 'k1' })).statusCode).toBe(403);
    expect(exceeded).toEqual(['k1', 'k1']);
    for (let i = 0; i < 3; i++)
      expect((await get({ 'x-api-key': 'k2', 'x-plan': 'pro' })).statusCode).toBe(200);
    expect((await get({ 'x-api-key': 'k2', 'x-plan': 'pro' })).statusCode).toBe(429);
    const skipped = await get({ 'x-api-key': 'k1', 'x-forwarded-for': '127.0.0.1' });
    expect(skipped.statusCode).toBe(200);
    expect(skipped.headers['x-ratelimit-limit']).toBeUndefined();
    // The route limit (1) under the global one (pro: 3).
    const login = () =>
      app.inject({ method: 'POST', url: '/login', headers: { 'x-api-key': 'k3', 'x-plan': 'pro' } });
    expect((await login()).statusCode).toBe(200);
    expect((await login()).statusCode).toBe(429);
    await app.close();
  });
});
