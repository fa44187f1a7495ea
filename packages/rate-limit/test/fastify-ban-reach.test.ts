import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify from 'fastify';
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

async function appWith(prefix: string, options: Omit<FastifyRateLimitOptions, 'window'>) {
  const app = Fastify();
  await app.register(rateLimitPlugin, { redis, prefix, window: '1m', ...options });
  app.get('/', async () => 'ok');
  return app;
}

describe('Fastify: onBanReach', () => {
  it('is called once, with the request of the first 403, and not for later ones', async () => {
    const reached: string[] = [];
    const app = await appWith(`rwfbanreach${++prefixCounter}:`, {
      limit: 1,
      ban: 2,
      key: (request) => String(request.headers['x-user']),
      onBanReach: (request, key) => reached.push(`${key} ${request.headers['x-attempt']}`),
    });
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const response = await app.inject({ url: '/', headers: { 'x-user': 'ann', 'x-attempt': String(i) } });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([200, 429, 429, 403, 403, 403]);
    expect(reached).toEqual(['ann 4']);
    // Another key reaches its own ban.
    for (let i = 1; i <= 4; i++)
      await app.inject({ url: '/', headers: { 'x-user': 'bob', 'x-attempt': String(i) } });
    expect(reached).toEqual(['ann 4', 'bob 4']);
    await app.close();
  });

  it('ban: 0 reaches the ban at the first rejection; a route inherits the hook', async () => {
    const reached: string[] = [];
    const app = Fastify();
    await app.register(rateLimitPlugin, {
      redis,
      prefix: `rwfbanreach${++prefixCounter}:`,
      window: '1m',
      limit: 100,
      ban: 0,
      global: false,
      onBanReach: (request, key) => reached.push(`${request.url} ${key}`),
    });
    app.get('/login', { config: { rateLimit: { limit: 1 } } }, async () => 'ok');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.inject({ url: '/login' })).statusCode);
    expect(statuses).toEqual([200, 403, 403]);
    expect(reached).toEqual(['/login ip:127.0.0.1']);
    await app.close();
  });

  it('is called once across processes sharing Redis (two apps, one counter)', async () => {
    const prefix = `rwfbanreach${++prefixCounter}:`;
    const reached: string[] = [];
    const options = { limit: 1, ban: 1, onBanReach: (_request: unknown, key: string) => reached.push(key) };
    const [one, two] = await Promise.all([appWith(prefix, options), appWith(prefix, options)]);
    const statuses: number[] = [];
    for (const app of [one, two, one, two, one, two])
      statuses.push((await app.inject({ url: '/' })).statusCode);
    expect(statuses).toEqual([200, 429, 403, 403, 403, 403]);
    expect(reached).toEqual(['ip:127.0.0.1']);
    await Promise.all([one.close(), two.close()]);
  });

  it('a hook that throws goes to the error handler; a non-function is refused', async () => {
    const app = await appWith(`rwfbanreach${++prefixCounter}:`, {
      limit: 1,
      ban: 0,
      onBanReach: () => {
        throw new Error('alerting is down');
      },
    });
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    const failed = await app.inject({ url: '/' });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ message: 'alerting is down' });
    await app.close();
    await expect(
      appWith(`rwfbanreach${++prefixCounter}:`, {
        limit: 1,
        ban: 1,
        onBanReach: 'log' as unknown as FastifyRateLimitOptions['onBanReach'] & object,
      }),
    ).rejects.toThrow(/`onBanReach`/);
  });
});
