import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify, { type FastifyRequest } from 'fastify';
import rateLimitPlugin, { type FastifyRateLimitOptions } from '../src/fastify';

let server: RedisServer;
let redis: IoredisClient;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

async function appWith(options: Omit<FastifyRateLimitOptions, 'window'>) {
  const app = Fastify();
  await app.register(rateLimitPlugin, {
    redis,
    prefix: `rwfhooks${++prefixCounter}:`,
    window: '1m',
    ...options,
  });
  return app;
}

describe('Fastify: onExceeding, onExceeded, ban and hook', () => {
  it('calls onExceeding for admitted requests and onExceeded for rejected ones, globally and per route', async () => {
    const calls: string[] = [];
    const app = await appWith({
      limit: 2,
      key: (request) => String(request.headers['x-user']),
      onExceeding: (request, key) => calls.push(`global ok ${key} ${request.url}`),
      onExceeded: (request, key) => calls.push(`global over ${key} ${request.url}`),
    });
    app.get('/', async () => 'ok');
    app.get(
      '/search',
      { config: { rateLimit: { limit: 1, onExceeded: (_request, key) => calls.push(`route over ${key}`) } } },
      async () => 'ok',
    );
    const statuses: number[] = [];
    for (const url of ['/', '/', '/', '/search', '/search']) {
      statuses.push(
        (await app.inject({ url, headers: { 'x-user': url === '/' ? 'ann' : 'bob' } })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 429, 200, 429]);
    expect(calls).toEqual([
      'global ok ann /',
      'global ok ann /',
      'global over ann /',
      'global ok bob /search',
      // The route inherits the plugin's onExceeding; its own onExceeded replaces the plugin's.
      'global ok bob /search',
      'global ok bob /search',
      'route over bob',
    ]);
    await app.close();
  });

  it('ban: after N rejections in a window answers 403 with Retry-After', async () => {
    const app = await appWith({ limit: 1, ban: 2 });
    app.get('/', async () => 'ok');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof app.inject>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await app.inject({ url: '/' });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 429, 429, 403, 403]);
    expect(last?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(last?.json()).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(last?.headers['retry-after'])).toBeLessThanOrEqual(60);
    const zero = await appWith({ limit: 1, ban: 0 });
    zero.get('/', async () => 'ok');
    expect((await zero.inject({ url: '/' })).statusCode).toBe(200);
    expect((await zero.inject({ url: '/' })).statusCode).toBe(403);
    await Promise.all([app.close(), zero.close()]);
    await expect(appWith({ limit: 1, ban: -1 })).rejects.toThrow(/`ban`/);
  });

  it("hook: 'preHandler' limits after authentication, so the key can read the user", async () => {
    const app = Fastify();
    app.decorateRequest('user', '');
    app.addHook('preValidation', async (request: FastifyRequest & { user?: string }) => {
      request.user = String(request.headers.authorization);
    });
    await app.register(rateLimitPlugin, {
      redis,
      prefix: `rwfhooks${++prefixCounter}:`,
      limit: 1,
      window: '1m',
      hook: 'preHandler',
      key: (request) => `user:${(request as FastifyRequest & { user?: string }).user}`,
    });
    app.get('/', async (request) => request.rateLimit);
    app.get('/pre', { config: { rateLimit: { limit: 5, hook: 'onRequest' } } }, async () => 'ok');
    const as = (user: string, url = '/') => app.inject({ url, headers: { authorization: user } });
    expect((await as('ann')).statusCode).toBe(200);
    expect((await as('ann')).statusCode).toBe(429);
    expect((await as('bob')).statusCode).toBe(200);
    // In onRequest the user is not known yet: every user shares one key there.
    expect((await as('carl', '/pre')).statusCode).toBe(200);
    await app.close();
    await expect(appWith({ limit: 1, hook: 'preParsing' as 'onRequest' })).rejects.toThrow(/`hook`/);
  });
});
