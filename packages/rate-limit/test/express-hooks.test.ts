import {
  closeAllClients,
  connectNodeRedis,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import request from 'supertest';
import { rateLimit } from '../src/express';

let server: RedisServer;
let redis: NodeRedisClient;
let prefixCounter = 0;
const prefix = () => `rwehooks${++prefixCounter}:`;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

describe('Express: onExceeding, onExceeded and ban', () => {
  it('calls onExceeding for admitted requests and onExceeded for rejected ones, with the key', async () => {
    const calls: string[] = [];
    const server = express()
      .use(
        rateLimit({
          redis,
          prefix: prefix(),
          limit: 1,
          window: '1m',
          key: (req) => String(req.headers['x-user']),
          onExceeding: (req, key) => calls.push(`ok ${key} ${req.path}`),
          onExceeded: (req, key) => calls.push(`over ${key} ${req.path}`),
        }),
      )
      .get('/', (_req, res) => void res.send('ok'));
    await request(server).get('/').set('x-user', 'ann').expect(200);
    await request(server).get('/').set('x-user', 'ann').expect(429);
    await request(server).get('/').set('x-user', 'ann').expect(429);
    expect(calls).toEqual(['ok ann /', 'over ann /', 'over ann /']);
  });

  it('a hook that throws goes to the error handler', async () => {
    const server = express()
      .use(
        rateLimit({
          redis,
          prefix: prefix(),
          limit: 1,
          window: '1m',
          onExceeded: () => {
            throw new Error('hook failed');
          },
        }),
      )
      .get('/', (_req, res) => void res.send('ok'))
      .use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).send(error.message);
      });
    await request(server).get('/').expect(200);
    const failed = await request(server).get('/').expect(500);
    expect(failed.text).toBe('hook failed');
  });

  it('ban: after N rejections in a window answers 403, even with a handler', async () => {
    const server = express()
      .use(
        rateLimit({
          redis,
          prefix: prefix(),
          limit: 1,
          window: '1m',
          ban: 1,
          handler: (_req, res) => void res.status(429).send('custom'),
        }),
      )
      .get('/', (_req, res) => void res.send('ok'));
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await request(server).get('/');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 429, 403, 403]);
    expect(JSON.parse(last?.text ?? '')).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
