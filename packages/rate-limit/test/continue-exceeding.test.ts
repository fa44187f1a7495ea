import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
  useRedisTargets,
} from '@rediware/testing';
import Fastify from 'fastify';
import { type Algorithm, createRateLimiter, type RateLimiter } from '../src';
import rateLimitPlugin from '../src/fastify';

let server: RedisServer;
let redis: IoredisClient;
const limiters: RateLimiter[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

const windowMs = 500;
const algorithms: Algorithm[] = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'];
const cases = (['redis', 'memory'] as const).flatMap((backend) =>
  algorithms.map((algorithm) => [backend, algorithm] as const),
);

function limiter(backend: 'redis' | 'memory', algorithm: Algorithm, continueExceeding: boolean): RateLimiter {
  const created = createRateLimiter({
    ...(backend === 'redis' ? { redis } : {}),
    prefix: `rwhold${++prefixCounter}:`,
    algorithm,
    limit: 1,
    window: windowMs,
    continueExceeding,
  });
  limiters.push(created);
  return created;
}

/** Sends every 100 ms for 3 windows after using the limit: how many of those were admitted. */
async function keepSending(limited: RateLimiter): Promise<number> {
  expect((await limited.consume('client')).allowed).toBe(true);
  let admitted = 0;
  const started = Date.now();
  while (Date.now() - started < 3 * windowMs) {
    if ((await limited.consume('client')).allowed) admitted++;
    await sleep(100);
  }
  return admitted;
}

describe('continueExceeding', () => {
  it.each(cases)(
    '%s %s: a client that keeps sending while rejected stays rejected',
    async (backend, algorithm) => {
      const held = limiter(backend, algorithm, true);
      expect(await keepSending(held)).toBe(0);
      const rejected = await held.consume('client');
      expect(rejected).toMatchObject({ allowed: false, retryAfterMs: windowMs });
      expect((await held.peek('client')).allowed).toBe(false);
      // Quiet for a whole window: admitted again.
      await sleep(windowMs + 50);
      expect((await held.consume('client')).allowed).toBe(true);
      // Without it, the same client is admitted again as the window moves on.
      expect(await keepSending(limiter(backend, algorithm, false))).toBeGreaterThan(0);
    },
  );

  it('reset(key) lifts the hold', async () => {
    const held = limiter('redis', 'fixed-window', true);
    await held.consume('client');
    expect((await held.consume('client')).allowed).toBe(false);
    await held.reset('client');
    expect((await held.consume('client')).allowed).toBe(true);
  });

  it('on the Fastify plugin: Retry-After is the whole window, and waiting it is admitted', async () => {
    const app = Fastify();
    await app.register(rateLimitPlugin, {
      redis,
      prefix: `rwhold${++prefixCounter}:`,
      algorithm: 'fixed-window',
      limit: 1,
      window: '2s',
      continueExceeding: true,
    });
    app.get('/', async () => 'ok');
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    const rejected = await app.inject({ url: '/' });
    expect(rejected.statusCode).toBe(429);
    expect(rejected.headers['retry-after']).toBe('2');
    await sleep(1_000);
    expect((await app.inject({ url: '/' })).statusCode).toBe(429);
    await sleep(2_050);
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    await app.close();
  });
});

describe.each(useRedisTargets(['node-redis-cluster']))('on $name', (target) => {
  it('the hold and a per-call limit run in one script on a cluster slot', async () => {
    const held = createRateLimiter({
      redis: target.client(),
      algorithm: 'fixed-window',
      limit: 5,
      window: '1m',
      continueExceeding: true,
    });
    limiters.push(held);
    expect(await held.consume('client', 1, { limit: 1 })).toMatchObject({ allowed: true, limit: 1 });
    expect(await held.consume('client', 1, { limit: 1 })).toMatchObject({
      allowed: false,
      retryAfterMs: 60_000,
    });
    // Held: even the larger limit is refused until the client is quiet for a window.
    expect((await held.consume('client')).allowed).toBe(false);
    await held.reset('client');
    expect(await held.consume('client')).toMatchObject({ allowed: true, remaining: 4 });
  });
});
