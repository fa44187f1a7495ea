import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import request from 'supertest';
import type { Algorithm } from '../src';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';

/**
 * `X-RateLimit-Reset` (legacy) and `RateLimit-Reset` (draft-6) are seconds until the window ends,
 * counted by Redis: over consecutive responses in one window they never go up, and they fall as the
 * window runs out (a Unix time made of this server's clock plus Redis's count flipped between N and
 * N+1 from one response to the next).
 */
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

const windowMs = 4_000;
type Send = () => Promise<Record<string, string | undefined>>;

function expressSend(algorithm: Algorithm, headers: 'legacy' | 'draft-6'): Send {
  const app = express()
    .use(
      rateLimit({
        redis,
        prefix: `rwreset${++prefixCounter}:`,
        algorithm,
        limit: 1000,
        window: windowMs,
        headers,
      }),
    )
    .get('/', (_req, res) => void res.send('ok'));
  return async () => (await request(app).get('/').expect(200)).headers as Record<string, string>;
}

async function fastifySend(
  algorithm: Algorithm,
  headers: 'legacy' | 'draft-6',
  close: Array<() => Promise<unknown>>,
) {
  const app = Fastify();
  close.push(() => app.close());
  await app.register(rateLimitPlugin, {
    redis,
    prefix: `rwreset${++prefixCounter}:`,
    algorithm,
    limit: 1000,
    window: windowMs,
    headers,
  });
  app.get('/', async () => 'ok');
  return async () => (await app.inject({ url: '/' })).headers as Record<string, string>;
}

describe.each(['fixed-window', 'sliding-window'] as const)('%s: the reset in seconds', (algorithm) => {
  it.each(['legacy', 'draft-6'] as const)(
    '%s: falls with the window, never up, over consecutive responses',
    async (mode) => {
      const close: Array<() => Promise<unknown>> = [];
      const sends: Record<string, Send> = {
        express: expressSend(algorithm, mode),
        fastify: await fastifySend(algorithm, mode, close),
      };
      const name = mode === 'legacy' ? 'x-ratelimit-reset' : 'ratelimit-reset';
      // Start just after a window boundary (windows are aligned to the clock), so 2.5 s stay in one window.
      await sleep(windowMs - (Date.now() % windowMs) + 50);
      const seen: Record<string, number[]> = { express: [], fastify: [] };
      const started = Date.now();
      while (Date.now() - started < 2_500) {
        for (const [framework, send] of Object.entries(sends))
          seen[framework]?.push(Number((await send())[name]));
        await sleep(20);
      }
      for (const values of Object.values(seen)) {
        expect(values.length).toBeGreaterThan(20);
        expect(values[0]).toBe(windowMs / 1000);
        for (let i = 1; i < values.length; i++)
          expect(values[i]).toBeLessThanOrEqual(values[i - 1] as number);
        expect(values.at(-1)).toBeLessThanOrEqual(2);
        expect(values.at(-1)).toBeGreaterThanOrEqual(1);
      }
      await Promise.all(close.map((done) => done()));
    },
  );
});
