import { setTimeout as sleep } from 'node:timers/promises';
import {
  abandonedGet,
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type ListeningApp,
  listenExpress,
  listenFastify,
  type RedisServer,
  startFaultProxy,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';
import { createRateLimiter, type RateLimiter } from '../src/rate-limiter';

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

/** A server limited by `limiter`, recording per request whether the limit hook had answered by the time it returned. */
interface Limited extends ListeningApp {
  readonly inTurn: boolean[];
}

type Framework = 'express' | 'fastify';

async function listen(
  framework: Framework,
  limiter: RateLimiter,
  key?: (req: { headers: Record<string, unknown> }) => string | Promise<string>,
): Promise<Limited> {
  const inTurn: boolean[] = [];
  if (framework === 'express') {
    const limit = rateLimit({ limiter, ...(key ? { key } : {}) });
    const app = express();
    app.use((req, res, next) => {
      void limit(req, res, next);
      inTurn.push(res.writableEnded);
    });
    app.get('/', (_req, res) => res.send('ok'));
    return { ...(await listenExpress(app)), inTurn };
  }
  const app = Fastify();
  // Calling done() runs the route's hooks, the limit's among them, before it returns.
  app.addHook('onRequest', (_request, reply, done) => {
    done();
    inTurn.push(reply.raw.writableEnded);
  });
  await app.register(rateLimitPlugin, { limiter, ...(key ? { key } : {}) });
  app.get('/', async () => 'ok');
  return { ...(await listenFastify(app)), inTurn };
}

describe.each(['express', 'fastify'] as const)('%s: a client the block cache rejects', (framework) => {
  let limiter: RateLimiter;
  let app: Limited;
  beforeEach(() => {
    limiter = createRateLimiter({ redis, prefix: `rwturn${++prefixCounter}:`, limit: 2, window: '1m' });
  });
  afterEach(async () => {
    await app.close();
    await limiter.close();
  });

  it('is answered in the same turn, with the full 429 and no Redis call', async () => {
    app = await listen(framework, limiter);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(app.url)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(app.inTurn).toEqual([false, false, false]);
    const before = limiter.metrics();

    const blocked = await fetch(app.url);
    expect(app.inTurn.at(-1)).toBe(true);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('ratelimit')).toMatch(/;r=0;t=\d+$/);
    expect(await blocked.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const after = limiter.metrics();
    expect(after.blockCacheHits - before.blockCacheHits).toBe(1);
    expect(after.rejected - before.rejected).toBe(1);
  });

  it('waits for a key that is a promise, and turns a key that throws into a 500', async () => {
    app = await listen(framework, limiter, (req) =>
      req.headers['x-throw'] ? Promise.reject(new Error('no key')) : Promise.resolve('k'),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(app.url)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    // The key is known only after a promise: never in the same turn, blocked or not.
    expect(app.inTurn).toEqual([false, false, false, false]);
    expect((await fetch(app.url, { headers: { 'x-throw': '1' } })).status).toBe(500);
    await app.close();
    app = await listen(framework, limiter, (req) => {
      if (req.headers['x-throw']) throw new Error('no key');
      return 'k';
    });
    expect((await fetch(app.url)).status).toBe(429);
    expect(app.inTurn).toEqual([true]);
    expect((await fetch(app.url, { headers: { 'x-throw': '1' } })).status).toBe(500);
  });
});

describe.each(['express', 'fastify'] as const)(
  '%s: a client gone while its decision is made',
  (framework) => {
    it('with skipFailedRequests, is refunded (its close came before the response was watched)', async () => {
      const proxy = await startFaultProxy(server);
      const slowRedis = await connectIoredis(proxy.url);
      const limiter = createRateLimiter({
        redis: slowRedis,
        prefix: `rwgone${++prefixCounter}:`,
        limit: 1,
        window: '1m',
        timeout: '5s',
      });
      const app = await listenRefunding(framework, limiter);
      try {
        await limiter.peek('warm'); // the script is loaded before the slow part
        proxy.slow(300);
        await abandonedGet(app.url, 100);
        await sleep(700); // the decision arrives after the client left; the refund follows
        proxy.pass();
        await sleep(100);
        expect((await fetch(app.url)).status).toBe(200);
        expect((await fetch(app.url)).status).toBe(429);
      } finally {
        proxy.pass();
        await app.close();
        await limiter.close();
        await proxy.close();
      }
    });
  },
);

async function listenRefunding(framework: Framework, limiter: RateLimiter): Promise<ListeningApp> {
  const key = () => 'client';
  if (framework === 'express') {
    const app = express();
    app.use(rateLimit({ limiter, key, skipFailedRequests: true }));
    app.get('/', (_req, res) => res.send('ok'));
    return listenExpress(app);
  }
  const app = Fastify();
  await app.register(rateLimitPlugin, { limiter, key, skipFailedRequests: true });
  app.get('/', async () => 'ok');
  return listenFastify(app);
}
