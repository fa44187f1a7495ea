import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RedisServer, startRedis } from '@rediware/testing';
import { rediwareExpress } from '../src/servers/rate-limit-express';
import { rediwareFastify } from '../src/servers/rate-limit-fastify';
import { expressRejectionOnly, fastifyRejectionOnly } from '../src/servers/rejection-only';
import { blockedPath } from '../src/servers/routes';
import type { BuiltServer, ServerFactory } from '../src/servers/server-types';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** The blocked route's answer once it is a 429: status, headers (without Date) and body. */
async function rejection(factory: ServerFactory) {
  const built: BuiltServer = await factory({ redisUrl: redis.url });
  let server: Server;
  if (built.app.framework === 'fastify') {
    await built.app.app.listen({ port: 0, host: '127.0.0.1' });
    server = built.app.app.server;
  } else {
    const { app } = built.app;
    server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
  }
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${blockedPath}`;
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await fetch(url);
      const body = await response.text();
      if (response.status !== 429) continue;
      const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
      return { status: response.status, headers, body };
    }
    throw new Error('never a 429');
  } finally {
    server.close();
    await built.close();
  }
}

describe('the mostly-blocked run’s reference row', () => {
  it.each([
    ['express', expressRejectionOnly, rediwareExpress('fixed-window')],
    ['fastify', fastifyRejectionOnly, rediwareFastify('fixed-window')],
  ])('%s: a bare handler answers with our limiter’s 429, byte for byte', async (_name, reference, ours) => {
    const ourAnswer = await rejection(ours);
    const copied = await rejection(reference);
    expect(copied.status).toBe(429);
    expect(copied.body).toBe(ourAnswer.body);
    expect(copied.body).toContain('"status":429');
    // RateLimit's t= and Retry-After count down by the second: the same header names, and the
    // same values but for those two.
    const timeless = ({ ratelimit, 'retry-after': _retryAfter, ...rest }: Record<string, string>) => ({
      ...rest,
      ratelimit: ratelimit?.replace(/;t=\d+/, ''),
    });
    expect(timeless(copied.headers)).toEqual(timeless(ourAnswer.headers));
    expect(Object.keys(copied.headers)).toEqual(expect.arrayContaining(['ratelimit-policy', 'retry-after']));
  });
});
