import {
  closeAllClients,
  connectNodeRedis,
  expectNoUnhandledRejection,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
  useUnhandledRejections,
} from '@rediware/testing';
import express from 'express';
import request from 'supertest';
import { type ExpressRateLimitOptions, rateLimit } from '../src/express';
import type { RateLimiter } from '../src/rate-limiter';

/**
 * What a user callback throws or rejects with reaches Express's error handlers (`next(err)`), on
 * Express 4 (which ignores a middleware's returned promise) as on Express 5: never an unhandled
 * rejection, a crash, a request that hangs, or a request let through unlimited.
 */
let server: RedisServer;
let redis: NodeRedisClient;
let prefixCounter = 0;
const unhandled = useUnhandledRejections();

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
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

/** Callbacks that fail on every request, thrown or rejected. */
const failingCallbacks: Array<[string, Partial<ExpressRateLimitOptions>]> = [
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

function app(options: Partial<ExpressRateLimitOptions>, limit = 1): express.Express {
  const created = express();
  created.use(rateLimit({ redis, prefix: `rwcallback${++prefixCounter}:`, limit, window: '1m', ...options }));
  created.get('/', (_req, res) => void res.send('ok'));
  created.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ caught: error instanceof Error ? error.message : String(error) });
  });
  return created;
}

/** The request ends (no hang) with the error handler's 500. */
async function expectCaught(server: express.Express, message: string | RegExp = 'boom'): Promise<void> {
  const response = await request(server).get('/').timeout(5_000);
  expect(response.status).toBe(500);
  expect(response.body.caught).toMatch(message);
}

describe('Express: errors from user callbacks go to next(err)', () => {
  it.each(failingCallbacks)('%s', async (_name, options) => {
    const server = app(options);
    await expectCaught(server);
    await expectCaught(server);
    await expectNoUnhandledRejection(unhandled);
  });

  it.each([
    ['throws', throws],
    ['rejects', rejects],
    ['throws after an await', async () => throws()],
  ])(
    'a handler that %s, on the first rejection (decided by Redis) and on later ones (the block cache)',
    async (_name, handler) => {
      const server = app({ handler });
      await request(server).get('/').expect(200);
      await expectCaught(server);
      await expectCaught(server);
      await expectNoUnhandledRejection(unhandled);
    },
  );

  it.each([
    ['key', { key: () => Promise.reject(undefined) }],
    ['cost', { cost: () => Promise.reject(null) }],
    ['skip', { skip: () => Promise.reject(undefined) }],
  ] as Array<[string, Partial<ExpressRateLimitOptions>]>)(
    'a %s that rejects with no error is an error, never a request let through unlimited',
    async (_name, options) => {
      await expectCaught(app(options), /callback/);
      await expectNoUnhandledRejection(unhandled);
    },
  );

  it('a handler that rejects with no error is an error', async () => {
    const server = app({ handler: () => Promise.reject(undefined) });
    await request(server).get('/').expect(200);
    await expectCaught(server, /callback/);
    await expectNoUnhandledRejection(unhandled);
  });

  it('a custom limiter that throws instead of rejecting: consume goes to next(err), refund is dropped', async () => {
    const real = rateLimit({
      redis,
      prefix: `rwcallback${++prefixCounter}:`,
      limit: 5,
      window: '1m',
    }).limiter;
    await expectCaught(app({ limiter: replacing(real, 'consume', throws) }));
    const refunding = app({ limiter: replacing(real, 'refund', throws), skipSuccessfulRequests: true });
    for (let i = 0; i < 3; i++) await request(refunding).get('/').timeout(5_000).expect(200);
    await expectNoUnhandledRejection(unhandled);
  });

  it('the default 500 of Express answers when the app has no error handler', async () => {
    const bare = express()
      .use(
        rateLimit({ redis, prefix: `rwcallback${++prefixCounter}:`, limit: 1, window: '1m', key: rejects }),
      )
      .get('/', (_req, res) => void res.send('ok'));
    await request(bare).get('/').timeout(5_000).expect(500);
    await expectNoUnhandledRejection(unhandled);
  });
});
