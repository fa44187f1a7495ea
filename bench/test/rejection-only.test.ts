import { type RedisServer, startRedis } from '@rediware/testing';
import { rediwareExpress } from '../src/servers/rate-limit-express';
import { rediwareFastify } from '../src/servers/rate-limit-fastify';
import { expressRejectionOnly, fastifyRejectionOnly, firstRejection } from '../src/servers/rejection-only';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('the mostly-blocked run’s reference row', () => {
  it.each([
    ['express', expressRejectionOnly, rediwareExpress('fixed-window')],
    ['fastify', fastifyRejectionOnly, rediwareFastify('fixed-window')],
  ])('%s: a bare handler answers with our limiter’s 429, byte for byte', async (_name, reference, ours) => {
    const ourAnswer = await firstRejection(ours, redis.url);
    const copied = await firstRejection(reference, redis.url);
    const named = (answer: typeof copied) => Object.fromEntries(answer.headers);
    expect(copied.status).toBe(429);
    expect(copied.body).toBe(ourAnswer.body);
    expect(copied.body).toContain('"status":429');
    // RateLimit's t= and Retry-After count down by the second: the same header names, and the
    // same values but for those two.
    const timeless = ({ ratelimit, 'retry-after': _retryAfter, ...rest }: Record<string, string>) => ({
      ...rest,
      ratelimit: ratelimit?.replace(/;t=\d+/, ''),
    });
    expect(timeless(named(copied))).toEqual(timeless(named(ourAnswer)));
    expect(Object.keys(named(copied))).toEqual(expect.arrayContaining(['ratelimit-policy', 'retry-after']));
  });
});
