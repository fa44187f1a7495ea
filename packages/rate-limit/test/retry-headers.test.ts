import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import request from 'supertest';
import type { Algorithm } from '../src';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';
import type { HeaderMode } from '../src/rate-limit-headers';

/**
 * On a rejection, every header that says when to come back says when a request will be admitted:
 * `t` (draft-8), `reset` (draft-7) and `X-RateLimit-Reset` (legacy) agree with `Retry-After`, and a
 * client that waits that long is admitted. Each algorithm, on memory and Redis, Express and Fastify.
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

const windowMs = 2_000;
const limit = 3;
const algorithms: Algorithm[] = ['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'];
const modes: HeaderMode[] = ['draft-8', 'draft-7', 'draft-6', 'legacy'];

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
}
type Send = () => Promise<Answer>;
interface Options {
  redis?: IoredisClient;
  prefix: string;
  algorithm: Algorithm;
  limit: number;
  window: number;
  headers: HeaderMode;
}

function expressClient(options: Options): Send {
  const app = express()
    .use(rateLimit(options))
    .get('/', (_req, res) => void res.send('ok'));
  return async () => {
    const response = await request(app).get('/');
    return { status: response.status, headers: response.headers as Record<string, string> };
  };
}

async function fastifyClient(options: Options, apps: FastifyInstance[]): Promise<Send> {
  const app = Fastify();
  apps.push(app);
  await app.register(rateLimitPlugin, options);
  app.get('/', async () => 'ok');
  return async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    return { status: response.statusCode, headers: response.headers as Record<string, string> };
  };
}

/** Seconds until a request is admitted, as the header of `mode` says, from when it arrived. */
function advertisedWaitS(mode: HeaderMode, answer: Answer): number {
  if (mode === 'draft-8') return Number(/;t=(\d+)$/.exec(answer.headers.ratelimit ?? '')?.[1]);
  if (mode === 'draft-7') return Number(/reset=(\d+)$/.exec(answer.headers.ratelimit ?? '')?.[1]);
  if (mode === 'draft-6') return Number(answer.headers['ratelimit-reset']);
  return Number(answer.headers['x-ratelimit-reset']);
}

async function waitThenAdmitted(mode: HeaderMode, send: Send): Promise<void> {
  let rejected: Answer | undefined;
  for (let i = 0; i <= limit && !rejected; i++) {
    const answer = await send();
    if (answer.status === 429) rejected = answer;
  }
  const receivedAt = Date.now();
  expect(rejected?.status).toBe(429);
  const answer = rejected as Answer;
  const retryAfterS = Number(answer.headers['retry-after']);
  expect(retryAfterS).toBeGreaterThanOrEqual(1);
  const waitS = advertisedWaitS(mode, answer);
  expect(waitS).toBe(retryAfterS);
  await sleep(Math.max(0, waitS * 1000 - (Date.now() - receivedAt)));
  expect((await send()).status).toBe(200);
}

describe.each(['memory', 'redis'] as const)(
  'on %s, the first rejection says when to come back',
  (backend) => {
    it.each(algorithms)(
      '%s: waiting the advertised time is admitted, in every header mode',
      async (algorithm) => {
        // Just after a window boundary: the sliding window's previous window then still weighs a lot.
        await sleep(windowMs - (Date.now() % windowMs) + 20);
        const apps: FastifyInstance[] = [];
        const options = (headers: HeaderMode): Options => ({
          ...(backend === 'redis' ? { redis } : {}),
          prefix: `rwretry${++prefixCounter}:`,
          algorithm,
          limit,
          window: windowMs,
          headers,
        });
        try {
          await Promise.all(
            modes.flatMap((mode) => [
              waitThenAdmitted(mode, expressClient(options(mode))),
              fastifyClient(options(mode), apps).then((send) => waitThenAdmitted(mode, send)),
            ]),
          );
        } finally {
          await Promise.all(apps.map((app) => app.close()));
        }
      },
    );
  },
);
