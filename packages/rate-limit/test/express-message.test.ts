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
const prefix = () => `rwmessage${++prefixCounter}:`;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

/** An app limited to 1 request a minute; answers with what the request property holds. */
function app(options: Omit<ExpressRateLimitOptions, 'redis' | 'prefix' | 'limit' | 'window'>) {
  return express()
    .use(rateLimit({ redis, prefix: prefix(), limit: 1, window: '1m', ...options }))
    .get('/', (req, res) => {
      res.json(req.rateLimit);
    });
}

async function rejected(server: express.Express, headers: Record<string, string> = {}) {
  await request(server).get('/').set(headers).expect(200);
  return request(server).get('/').set(headers).expect(429);
}

describe('Express: message and requestPropertyName', () => {
  it('sends a string message as text', async () => {
    const response = await rejected(app({ message: 'Too many requests, please try again later.' }));
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.text).toBe('Too many requests, please try again later.');
    expect(response.headers['retry-after']).toBeDefined();
  });

  it('sends an object message as JSON', async () => {
    const response = await rejected(app({ message: { error: 'slow down', code: 42 } }));
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ error: 'slow down', code: 42 });
  });

  it.each([
    ['sync', (req: express.Request) => ({ error: `slow down, ${req.headers['x-user']}` })],
    ['async', async (req: express.Request) => `slow down, ${req.headers['x-user']}`],
  ])('sends what a %s message function of the request returns', async (kind, message) => {
    const response = await rejected(app({ message }), { 'x-user': '<b>ann</b>' });
    if (kind === 'sync') expect(response.body).toEqual({ error: 'slow down, <b>ann</b>' });
    else {
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('slow down, <b>ann</b>');
    }
  });

  it('passes a message function that throws or returns no body to the error handler', async () => {
    const server = app({ message: () => undefined as unknown as string }).use(
      (
        error: Error & { code?: string },
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res.status(500).json({ code: error.code });
      },
    );
    await request(server).get('/').expect(200);
    const response = await request(server).get('/').expect(500);
    expect(response.body).toEqual({ code: 'ERR_RW_RATE_LIMIT_MESSAGE' });
  });

  it('keeps problem+json as the default', async () => {
    const response = await rejected(app({}));
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(response.text)).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });

  it('puts the decision on requestPropertyName', async () => {
    const server = express()
      .use(rateLimit({ redis, prefix: prefix(), limit: 5, window: '1m', requestPropertyName: 'quota' }))
      .get('/', (req, res) => {
        const holder = req as unknown as Record<string, unknown>;
        res.json({ quota: holder.quota, rateLimit: holder.rateLimit ?? null });
      });
    const response = await request(server).get('/').expect(200);
    expect(response.body).toEqual({
      quota: expect.objectContaining({ allowed: true, limit: 5, remaining: 4 }),
      rateLimit: null,
    });
    expect(() => rateLimit({ limit: 1, window: '1m', requestPropertyName: 'a b' })).toThrow(
      /requestPropertyName/,
    );
    expect(() => rateLimit({ limit: 1, window: '1m', message: 42 as unknown as string })).toThrow(
      /`message`/,
    );
  });
});
