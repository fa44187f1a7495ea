import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type ListeningApp,
  listenFastify,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimitPlugin, { type FastifyRateLimitOptions } from '../src/fastify';

let server: RedisServer;
let redis: IoredisClient;
let prefixCounter = 0;
const prefix = () => `rwfastify${++prefixCounter}:`;
const listening: ListeningApp[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterEach(async () => {
  await Promise.all(listening.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

async function serve(
  options: FastifyRateLimitOptions,
  routes: (app: FastifyInstance) => void,
): Promise<string> {
  const app = Fastify();
  await app.register(rateLimitPlugin, { redis, prefix: prefix(), ...options });
  routes(app);
  const started = await listenFastify(app);
  listening.push(started);
  return started.url;
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

describe('rate limit plugin for Fastify', () => {
  it('limits every route globally, with draft-8 headers and a problem+json 429', async () => {
    const url = await serve({ limit: 2, window: '1m' }, (app) =>
      app.get('/', async (request) => ({ rateLimit: request.rateLimit })),
    );
    const first = await get(`${url}/`);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    expect(await first.json()).toMatchObject({ rateLimit: { allowed: true, remaining: 1 } });
    await get(`${url}/`);
    const rejected = await get(`${url}/`);
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await rejected.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });

  it('a route limit adds to the global one, and `false` exempts a route', async () => {
    const url = await serve({ limit: 5, window: '1m' }, (app) => {
      app.get('/login', { config: { rateLimit: { limit: 1, window: '1m' } } }, async () => 'login');
      app.get('/free', { config: { rateLimit: false } }, async () => 'free');
      app.get('/', async () => 'home');
    });
    const login = await get(`${url}/login`);
    expect(login.status).toBe(200);
    expect(login.headers.get('ratelimit')).toMatch(/^"GET\/login";r=0/);
    expect((await get(`${url}/login`)).status).toBe(429);
    // Both /login calls counted against the global limit of 5: 2 used.
    const home = await get(`${url}/`);
    expect(home.headers.get('ratelimit')).toMatch(/^"default";r=2/);
    for (let i = 0; i < 10; i++) expect((await get(`${url}/free`)).status).toBe(200);
  });

  it('global: false limits only the routes that ask, with the plugin options as defaults', async () => {
    const url = await serve({ global: false, limit: 100, window: '1m', headers: 'legacy' }, (app) => {
      app.get('/limited', { config: { rateLimit: { limit: 1, window: '1m' } } }, async () => 'x');
      app.get('/open', async () => 'y');
    });
    const limited = await get(`${url}/limited`);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('1');
    expect((await get(`${url}/limited`)).status).toBe(429);
    const open = await get(`${url}/open`);
    expect(open.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('uses key, cost, skip, handler and skipFailedRequests', async () => {
    const url = await serve(
      {
        limit: 2,
        window: '1m',
        key: (request) => String(request.headers['x-user']),
        cost: (request) => (request.url === '/two' ? 2 : 1),
        skip: (request) => request.url === '/health',
        skipFailedRequests: true,
        handler: (_request, reply, result) => reply.code(418).send({ retryAfterMs: result.retryAfterMs > 0 }),
      },
      (app) => {
        app.get('/two', async () => 'two');
        app.get('/one', async () => 'one');
        app.get('/health', async () => 'ok');
        app.get('/fail', async (_request, reply) => reply.code(500).send('boom'));
      },
    );
    for (let i = 0; i < 4; i++) expect((await get(`${url}/fail`, { 'x-user': 'a' })).status).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await get(`${url}/two`, { 'x-user': 'a' })).status).toBe(200);
    const teapot = await get(`${url}/one`, { 'x-user': 'a' });
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ retryAfterMs: true });
    expect((await get(`${url}/one`, { 'x-user': 'b' })).status).toBe(200);
    expect((await get(`${url}/health`, { 'x-user': 'a' })).status).toBe(200);
  });

  it('rejects bad options when registered, naming the option', async () => {
    const app = Fastify();
    await expect(app.register(rateLimitPlugin, { redis, limit: -1, window: '1m' }).ready()).rejects.toThrow(
      /`limit`/,
    );
    await app.close();
  });
});
