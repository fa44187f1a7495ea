import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify, { type FastifyRequest } from 'fastify';
import rateLimitPlugin from '../src/fastify';

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

const plans: Record<string, number> = { free: 1, pro: 2 };
const planLimit = async (request: FastifyRequest) => plans[String(request.headers['x-plan'])] ?? 0;

describe('Fastify: limit as a function of the request', () => {
  it('applies the plugin limit function and a route one, each with its own count', async () => {
    const app = Fastify();
    await app.register(rateLimitPlugin, {
      redis,
      prefix: 'rwfplan:',
      window: '1m',
      limit: planLimit,
      key: (request) => String(request.headers['x-user']),
    });
    app.get('/', async () => 'ok');
    app.get(
      '/search',
      { config: { rateLimit: { limit: (request) => (request.headers['x-plan'] === 'pro' ? 1 : 0) } } },
      async () => 'ok',
    );
    const get = (url: string, plan: string, user = plan) =>
      app.inject({ url, headers: { 'x-plan': plan, 'x-user': user } });
    expect((await get('/', 'free')).statusCode).toBe(200);
    expect((await get('/', 'free')).statusCode).toBe(429);
    const pro = await get('/', 'pro');
    expect(pro.statusCode).toBe(200);
    expect(pro.headers['ratelimit-policy']).toBe('"default";q=2;w=60');
    expect((await get('/', 'pro')).statusCode).toBe(200);
    expect((await get('/', 'pro')).statusCode).toBe(429);
    // The route's limit (1 for pro, 0 otherwise) beside the global one (2 for pro).
    expect((await get('/search', 'pro', 'carl')).statusCode).toBe(200);
    expect((await get('/search', 'pro', 'carl')).statusCode).toBe(429);
    expect((await get('/search', 'free', 'dana')).statusCode).toBe(429);
    expect((await get('/', 'none')).statusCode).toBe(429);
    await app.close();
  });

  it('limit: 0 rejects every request', async () => {
    const app = Fastify();
    await app.register(rateLimitPlugin, { redis, prefix: 'rwfzero:', window: '1m', limit: 0 });
    app.get('/', async () => 'ok');
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('60');
    await app.close();
  });
});
