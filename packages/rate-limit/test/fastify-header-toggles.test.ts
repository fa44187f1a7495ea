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

/** A plugin limited to 1 request a minute (global: false) with /plugin using its limit and /route its own. */
async function app(options: Omit<FastifyRateLimitOptions, 'limit' | 'window'>) {
  const fastify = Fastify();
  await fastify.register(rateLimitPlugin, {
    redis,
    prefix: `rwftoggle${++prefixCounter}:`,
    limit: 1,
    window: '1m',
    global: false,
    ...options,
  });
  fastify.get('/plugin', { config: { rateLimit: {} } }, async () => 'ok');
  fastify.get(
    '/route',
    { config: { rateLimit: { addHeaders: { 'retry-after': true }, addHeadersOnExceeding: {} } } },
    async () => 'ok',
  );
  return fastify;
}

async function twice(fastify: Awaited<ReturnType<typeof app>>, url: string) {
  const admitted = await fastify.inject({ url });
  const rejected = await fastify.inject({ url });
  expect(admitted.statusCode).toBe(200);
  expect(rejected.statusCode).toBe(429);
  return { admitted: admitted.headers, rejected: rejected.headers };
}

describe('Fastify: addHeaders and addHeadersOnExceeding', () => {
  it('sends the legacy set and Retry-After by default', async () => {
    const fastify = await app({ headers: 'legacy' });
    const { admitted, rejected } = await twice(fastify, '/plugin');
    expect(Object.keys(admitted).filter((name) => name.startsWith('x-ratelimit'))).toHaveLength(3);
    expect(Object.keys(rejected).filter((name) => name.startsWith('x-ratelimit'))).toHaveLength(3);
    expect(rejected['retry-after']).toBeDefined();
    await fastify.close();
  });

  it("drops the plugin's toggled headers on its routes; a route's own toggles replace them", async () => {
    const fastify = await app({
      headers: 'legacy',
      addHeaders: { 'retry-after': false, 'x-ratelimit-reset': false },
      addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false },
    });
    const plugin = await twice(fastify, '/plugin');
    expect(plugin.admitted['x-ratelimit-limit']).toBeUndefined();
    expect(plugin.admitted['x-ratelimit-remaining']).toBeUndefined();
    expect(plugin.admitted['x-ratelimit-reset']).toBeDefined();
    expect(plugin.rejected['retry-after']).toBeUndefined();
    expect(plugin.rejected['x-ratelimit-reset']).toBeUndefined();
    expect(plugin.rejected['x-ratelimit-limit']).toBe('1');
    const route = await twice(fastify, '/route');
    expect(route.admitted['x-ratelimit-limit']).toBe('1');
    expect(route.rejected['retry-after']).toBeDefined();
    expect(route.rejected['x-ratelimit-reset']).toBeDefined();
    await fastify.close();
  });

  it('rejects an unknown header name when the plugin registers', async () => {
    const fastify = Fastify();
    await expect(
      fastify
        .register(rateLimitPlugin, {
          redis,
          limit: 1,
          window: '1m',
          addHeaders: { 'x-rate-limit-reset': false } as NonNullable<FastifyRateLimitOptions['addHeaders']>,
        })
        .ready(),
    ).rejects.toMatchObject({ option: 'addHeaders.x-rate-limit-reset' });
    await fastify.close();
  });
});
