import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  listenFastify,
  type RedisServer,
  startRedis,
} from '@rediware/testing';

import Fastify from 'fastify';
import rateLimitPlugin from '../src/fastify';

let server: RedisServer;
let redis: IoredisClient;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

describe('Fastify: requestWasSuccessful', () => {
  it('a 200 it calls a success is given back with skipSuccessfulRequests; its failures count', async () => {
    const app = Fastify();
    await app.register(rateLimitPlugin, {
      redis,
      prefix: 'rwfoutcome:',
      limit: 2,
      window: '1m',
      skipSuccessfulRequests: true,
      requestWasSuccessful: async (_request, reply) => reply.getHeader('x-done') === '1',
    });
    app.get('/done', async (_request, reply) => reply.header('x-done', '1').send('ok'));
    app.get('/pending', async () => 'not yet');
    // A real socket: the refund follows the response's 'close'.
    const listening = await listenFastify(app);
    const get = async (path: string) => (await fetch(`${listening.url}${path}`)).status;
    for (let i = 0; i < 4; i++) {
      expect(await get('/done')).toBe(200);
      await sleep(20);
    }
    expect(await get('/pending')).toBe(200);
    expect(await get('/pending')).toBe(200);
    await sleep(20);
    expect(await get('/pending')).toBe(429);
    await listening.close();
  });
});
