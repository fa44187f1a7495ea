import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify, { type FastifyRequest } from 'fastify';
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

async function secondResponse(options: Omit<FastifyRateLimitOptions, 'limit' | 'window'>) {
  const app = Fastify();
  await app.register(rateLimitPlugin, {
    redis,
    prefix: `rwfmsg${++prefixCounter}:`,
    limit: 1,
    window: '1m',
    ...options,
  });
  app.get('/', async (request) => (request as unknown as Record<string, unknown>).quota ?? 'ok');
  const first = await app.inject({ url: '/', headers: { 'x-user': 'ann' } });
  const second = await app.inject({ url: '/', headers: { 'x-user': 'ann' } });
  await app.close();
  return { first, second };
}

describe('Fastify: message and requestPropertyName', () => {
  it('sends a string as text, an object as JSON, and what an async function of the request returns', async () => {
    const text = (await secondResponse({ message: 'Slow down' })).second;
    expect(text.statusCode).toBe(429);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe('Slow down');
    const json = (await secondResponse({ message: { error: 'slow down' } })).second;
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.json()).toEqual({ error: 'slow down' });
    const message = async (request: FastifyRequest) => ({ user: request.headers['x-user'] });
    const computed = (await secondResponse({ message })).second;
    expect(computed.statusCode).toBe(429);
    expect(computed.json()).toEqual({ user: 'ann' });
    const problem = (await secondResponse({})).second;
    expect(problem.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a message function that rejects goes to the error handler', async () => {
    const { second } = await secondResponse({ message: () => Promise.reject(new Error('no message')) });
    expect(second.statusCode).toBe(500);
    expect(second.json()).toMatchObject({ message: 'no message' });
  });

  it('puts the decision on requestPropertyName', async () => {
    const { first } = await secondResponse({ requestPropertyName: 'quota' });
    expect(first.json()).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
  });
});
