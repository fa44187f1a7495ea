import {
  closeAllClients,
  connectIoredis,
  expectNoUnhandledRejection,
  type IoredisClient,
  type ListeningApp,
  listenFastify,
  type RedisServer,
  startRedis,
  useUnhandledRejections,
} from '@rediware/testing';
import Fastify from 'fastify';
import rateLimitPlugin, { type FastifyRateLimitOptions } from '../src/fastify';
import { createRateLimiter, type RateLimiter } from '../src/rate-limiter';

/**
 * What a user callback throws or rejects with reaches Fastify's error handler (a 500 through
 * `done(err)`): never an unhandled rejection, a crash, a request that hangs, or a request let
 * through unlimited.
 */
let server: RedisServer;
let redis: IoredisClient;
let prefixCounter = 0;
const listening: ListeningApp[] = [];
const unhandled = useUnhandledRejections();

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

const boom = () => new Error('boom');
const throws = () => {
  throw boom();
};
const rejects = () => Promise.reject(boom());

const failingCallbacks: Array<[string, Partial<FastifyRateLimitOptions>]> = [
  ['key throws', { key: throws }],
  ['key rejects', { key: rejects }],
  ['cost throws', { cost: throws }],
  ['cost rejects', { cost: rejects }],
  ['skip throws', { skip: throws }],
  ['skip rejects', { skip: rejects }],
];

/** `limiter` with one method replaced (the others bound to it: they use private fields). */
function replacing(limiter: RateLimiter, method: keyof RateLimiter, replacement: () => never): RateLimiter {
  return new Proxy(limiter, {
    get(target, name) {
      if (name === method) return replacement;
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function serve(options: Partial<FastifyRateLimitOptions>, limit = 1): Promise<string> {
  const app = Fastify();
  await app.register(rateLimitPlugin, {
    redis,
    prefix: `rwfcallback${++prefixCounter}:`,
    limit,
    window: '1m',
    ...options,
  });
  app.get('/', async () => 'ok');
  const started = await listenFastify(app);
  listening.push(started);
  return started.url;
}

const get = (url: string) => fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });

/** The request ends (no hang) with Fastify's 500 for the error. */
async function expectCaught(url: string, message: string | RegExp = 'boom'): Promise<void> {
  const response = await get(url);
  expect(response.status).toBe(500);
  expect(((await response.json()) as { message: string }).message).toMatch(message);
}

describe('Fastify: errors from user callbacks go to the error handler', () => {
  it.each(failingCallbacks)('%s', async (_name, options) => {
    const url = await serve(options);
    await expectCaught(url);
    await expectCaught(url);
    await expectNoUnhandledRejection(unhandled);
  });

  it.each([
    ['throws', throws],
    ['rejects', rejects],
    ['throws after an await', async () => throws()],
  ])(
    'a handler that %s, on the first rejection (decided by Redis) and on later ones (the block cache)',
    async (_name, handler) => {
      const url = await serve({ handler });
      expect((await get(url)).status).toBe(200);
      await expectCaught(url);
      await expectCaught(url);
      await expectNoUnhandledRejection(unhandled);
    },
  );

  it.each([
    ['key', { key: () => Promise.reject(undefined) }],
    ['cost', { cost: () => Promise.reject(null) }],
    ['skip', { skip: () => Promise.reject(undefined) }],
    [
      'key (thrown)',
      {
        key: () => {
          throw undefined;
        },
      },
    ],
  ] as Array<[string, Partial<FastifyRateLimitOptions>]>)(
    'a %s that fails with no error is an error, never a request let through unlimited',
    async (_name, options) => {
      await expectCaught(await serve(options), /callback/);
      await expectNoUnhandledRejection(unhandled);
    },
  );

  it('a handler that rejects with no error is an error', async () => {
    const url = await serve({ handler: () => Promise.reject(undefined) });
    expect((await get(url)).status).toBe(200);
    await expectCaught(url, /callback/);
    await expectCaught(url, /callback/);
    await expectNoUnhandledRejection(unhandled);
  });

  it('a custom limiter that throws instead of rejecting: consume goes to the error handler, refund is dropped', async () => {
    const limiter = createRateLimiter({
      redis,
      prefix: `rwfcallback${++prefixCounter}:`,
      limit: 5,
      window: '1m',
    });
    await expectCaught(await serve({ limiter: replacing(limiter, 'consume', throws) }));
    const refunding = await serve({
      limiter: replacing(limiter, 'refund', throws),
      skipSuccessfulRequests: true,
    });
    for (let i = 0; i < 3; i++) expect((await get(refunding)).status).toBe(200);
    await expectNoUnhandledRejection(unhandled);
    await limiter.close();
  });

  it('a route limit inherits the plugin callbacks, and their errors too', async () => {
    const app = Fastify();
    await app.register(rateLimitPlugin, {
      redis,
      prefix: `rwfcallback${++prefixCounter}:`,
      global: false,
      limit: 5,
      window: '1m',
      key: rejects,
    });
    app.get('/', { config: { rateLimit: { limit: 1, window: '1m' } } }, async () => 'ok');
    const started = await listenFastify(app);
    listening.push(started);
    await expectCaught(started.url);
    await expectNoUnhandledRejection(unhandled);
  });
});
