import {
  closeAllClients,
  connectNodeRedis,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import { type Algorithm, createRateLimiter, type RateLimiter } from '../src';

let server: RedisServer;
let redis: NodeRedisClient;
const limiters: RateLimiter[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
  await redis.flushAll();
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

function limiter(backend: 'redis' | 'memory', algorithm: Algorithm, limit: number): RateLimiter {
  const created = createRateLimiter({
    ...(backend === 'redis' ? { redis } : {}),
    algorithm,
    limit,
    window: '1m',
  });
  limiters.push(created);
  return created;
}

const algorithms: Algorithm[] = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'];
const cases = (['redis', 'memory'] as const).flatMap((backend) =>
  algorithms.map((algorithm) => [backend, algorithm] as const),
);

describe('a limit per call', () => {
  it.each(cases)(
    '%s %s: each call is decided with its own limit, on one count per key',
    async (backend, algorithm) => {
      const limited = limiter(backend, algorithm, 100);
      const free = { limit: 2 };
      expect(await limited.consume('user', 1, free)).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
      expect(await limited.consume('user', 1, free)).toMatchObject({ allowed: true, remaining: 0 });
      const rejected = await limited.consume('user', 1, free);
      expect(rejected).toMatchObject({ allowed: false, limit: 2, remaining: 0 });
      expect(rejected.retryAfterMs).toBeGreaterThan(0);
      // The block cache holds the free plan's rejection; an upgrade asks Redis, and the 2 used still count.
      if (algorithm === 'token-bucket') {
        // A bucket stores the tokens left, not the tokens used: an upgrade refills faster, from empty.
        const upgraded = await limited.consume('user', 1, { limit: 100 });
        expect(upgraded).toMatchObject({ allowed: false, limit: 100 });
        expect(upgraded.retryAfterMs).toBeLessThan(rejected.retryAfterMs);
        return;
      }
      expect(await limited.consume('user', 1, { limit: 5 })).toMatchObject({
        allowed: true,
        limit: 5,
        remaining: 2,
      });
      expect(await limited.peek('user', 1, { limit: 5 })).toMatchObject({ allowed: true, remaining: 2 });
      expect(await limited.consume('user')).toMatchObject({ allowed: true, limit: 100, remaining: 96 });
    },
  );

  it.each(cases)('%s %s: a refund with the call limit gives the cost back', async (backend, algorithm) => {
    const limited = limiter(backend, algorithm, 100);
    await limited.consume('user', 1, { limit: 1 });
    expect((await limited.consume('user', 1, { limit: 1 })).allowed).toBe(false);
    await limited.refund('user', 1, { limit: 1 });
    expect((await limited.consume('user', 1, { limit: 1 })).allowed).toBe(true);
  });

  it('rejects a limit that is not a whole number, 0 or more', async () => {
    const limited = limiter('memory', 'fixed-window', 10);
    for (const limit of [-1, 1.5, Number.NaN, '3' as unknown as number]) {
      await expect(limited.consume('user', 1, { limit })).rejects.toMatchObject({
        code: 'ERR_RW_RATE_LIMIT_LIMIT',
      });
    }
  });
});

describe('limit: 0', () => {
  it.each(algorithms)('%s rejects every call for a whole window, without a Redis key', async (algorithm) => {
    const closed = limiter('redis', algorithm, 0);
    for (let i = 0; i < 3; i++) {
      expect(await closed.consume('user', 1)).toEqual({
        allowed: false,
        limit: 0,
        remaining: 0,
        resetMs: 60_000,
        retryAfterMs: 60_000,
        windowMs: 60_000,
      });
    }
    expect((await closed.consume('user', 50)).allowed).toBe(false);
    expect((await limiter('redis', algorithm, 10).consume('user', 1, { limit: 0 })).allowed).toBe(false);
    expect(await redis.dbSize()).toBe(0);
  });

  it('is a valid limiter option, where a negative limit is not', () => {
    expect(() => createRateLimiter({ limit: -1, window: '1m' })).toThrow(/limit/);
    expect(() =>
      createRateLimiter({ limit: 10, window: '1m', policies: [{ limit: 0, window: '1h' }] }),
    ).toThrow(/policies\[0\]\.limit/);
  });
});
