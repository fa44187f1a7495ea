import {
  closeAllClients,
  connectNodeRedis,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import request from 'supertest';
import { type ExpressRateLimitOptions, rateLimit } from '../src/express';

let server: RedisServer;
let redis: NodeRedisClient;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

/** An app limited to 1 request a minute: the admitted response, then the rejected one. */
async function responses(options: Omit<ExpressRateLimitOptions, 'redis' | 'limit' | 'window'>) {
  const app = express()
    .use(rateLimit({ redis, prefix: `rwtoggle${++prefixCounter}:`, limit: 1, window: '1m', ...options }))
    .get('/', (_req, res) => {
      res.send('ok');
    });
  const admitted = await request(app).get('/').expect(200);
  const rejected = await request(app).get('/');
  return {
    admitted: admitted.headers,
    rejected: rejected.headers,
    status: rejected.status,
    body: rejected.text,
  };
}

describe('Express: addHeaders and addHeadersOnExceeding', () => {
  it('sends every header of the mode by default', async () => {
    const { admitted, rejected } = await responses({ headers: ['draft-6', 'legacy'] });
    for (const name of ['ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
      expect(admitted[name]).toBeDefined();
      expect(rejected[name]).toBeDefined();
    }
    expect(admitted['x-ratelimit-remaining']).toBe('0');
    expect(admitted['retry-after']).toBeUndefined();
    expect(rejected['retry-after']).toBeDefined();
  });

  it('drops the headers turned off, on rejections and on admitted requests separately', async () => {
    const { admitted, rejected, status } = await responses({
      headers: 'legacy',
      addHeaders: { 'x-ratelimit-reset': false, 'retry-after': false, 'x-ratelimit-limit': true },
      addHeadersOnExceeding: { 'x-ratelimit-remaining': false },
    });
    expect(admitted['x-ratelimit-limit']).toBe('1');
    expect(admitted['x-ratelimit-remaining']).toBeUndefined();
    expect(admitted['x-ratelimit-reset']).toBeDefined();
    expect(status).toBe(429);
    expect(rejected['x-ratelimit-limit']).toBe('1');
    expect(rejected['x-ratelimit-remaining']).toBe('0');
    expect(rejected['x-ratelimit-reset']).toBeUndefined();
    expect(rejected['retry-after']).toBeUndefined();
  });

  it('matches names in any case, and never adds a header the mode does not send', async () => {
    const { admitted, rejected } = await responses({
      addHeaders: { RateLimit: false, 'x-ratelimit-limit': true } as NonNullable<
        ExpressRateLimitOptions['addHeaders']
      >,
      addHeadersOnExceeding: {
        'RateLimit-Policy': false,
      } as NonNullable<ExpressRateLimitOptions['addHeadersOnExceeding']>,
    });
    expect(admitted.ratelimit).toBeDefined();
    expect(admitted['ratelimit-policy']).toBeUndefined();
    expect(rejected.ratelimit).toBeUndefined();
    expect(rejected['ratelimit-policy']).toBeDefined();
    expect(rejected['x-ratelimit-limit']).toBeUndefined();
  });

  it('a ban still says when it ends without Retry-After', async () => {
    const app = express()
      .use(
        rateLimit({
          redis,
          prefix: `rwtoggle${++prefixCounter}:`,
          limit: 1,
          window: '1m',
          ban: 0,
          addHeaders: { 'retry-after': false },
        }),
      )
      .get('/', (_req, res) => {
        res.send('ok');
      });
    await request(app).get('/').expect(200);
    const banned = await request(app).get('/').expect(403);
    expect(banned.headers['retry-after']).toBeUndefined();
    // The ban counts in a fixed window aligned to the clock: it ends at the next minute.
    const seconds = Number(/Retry in (\d+) s\./.exec(JSON.parse(banned.text).detail)?.[1]);
    const distance = Math.abs(seconds - (60 - Math.floor((Date.now() % 60_000) / 1000)));
    expect(Math.min(distance, 60 - distance)).toBeLessThanOrEqual(2);
  });

  it.each([
    [{ addHeaders: { 'x-ratelimit-rest': false } }, 'addHeaders.x-ratelimit-rest'],
    [{ addHeadersOnExceeding: { 'retry-after': false } }, 'addHeadersOnExceeding.retry-after'],
    [{ addHeaders: { 'retry-after': 'no' } }, 'addHeaders.retry-after'],
    [{ addHeaders: ['retry-after'] }, 'addHeaders'],
  ])('rejects %j at construction, naming the option', (options, option) => {
    expect(() =>
      rateLimit({ redis, limit: 1, window: '1m', ...(options as Partial<ExpressRateLimitOptions>) }),
    ).toThrow(expect.objectContaining({ option }));
  });
});
