import {
  closeAllClients,
  connectNodeRedis,
  type NodeRedisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import express, { type Express } from 'express';
import request from 'supertest';
import { rateLimit } from '../src/express';

let server: RedisServer;
let redis: NodeRedisClient;
let prefixCounter = 0;
/** A fresh key prefix per test keeps tests apart on one server. */
const prefix = () => `rwexpress${++prefixCounter}:`;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

function app(configure: (app: Express) => void): Express {
  const created = express();
  configure(created);
  return created;
}
const ok = (_req: express.Request, res: express.Response) => {
  res.json({ rateLimit: _req.rateLimit });
};

describe('rateLimit for Express', () => {
  it('admits up to the limit, then answers 429 problem+json with Retry-After and draft-8 headers', async () => {
    const server = app((a) =>
      a
        .use(rateLimit({ redis, prefix: prefix(), limit: 2, window: '1m', algorithm: 'fixed-window' }))
        .get('/', ok),
    );
    const first = await request(server).get('/');
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"default";q=2;w=60');
    expect(first.headers.ratelimit).toMatch(/^"default";r=1;t=\d+$/);
    expect(first.body.rateLimit).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    await request(server).get('/').expect(200);
    const rejected = await request(server).get('/');
    expect(rejected.status).toBe(429);
    expect(rejected.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(rejected.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(rejected.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(rejected.headers.ratelimit).toMatch(/r=0;t=\d+/);
    expect(JSON.parse(rejected.text)).toMatchObject({ status: 429, title: 'Too Many Requests' });
  });

  it.each([
    ['draft-7', { 'ratelimit-policy': '1;w=60', ratelimit: /^limit=1, remaining=0, reset=\d+$/ }],
    [
      'draft-6',
      {
        'ratelimit-policy': '1;w=60',
        'ratelimit-limit': '1',
        'ratelimit-remaining': '0',
        'ratelimit-reset': /^([1-9]|[1-5]\d|60)$/,
      },
    ],
    [
      'legacy',
      { 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': /^([1-9]|[1-5]\d|60)$/ },
    ],
  ] as const)('sends %s headers', async (headers, expected) => {
    const server = app((a) =>
      a.use(rateLimit({ redis, prefix: prefix(), limit: 1, window: 60_000, headers })).get('/', ok),
    );
    const response = await request(server).get('/');
    for (const [name, value] of Object.entries(expected)) {
      if (typeof value === 'string') expect(response.headers[name]).toBe(value);
      else expect(response.headers[name]).toMatch(value);
    }
    expect(response.headers['ratelimit-policy'] === undefined).toBe(headers === 'legacy');
  });

  it('sends no rate limit headers with headers: false, but still Retry-After on a rejection', async () => {
    const server = app((a) =>
      a.use(rateLimit({ redis, prefix: prefix(), limit: 1, window: '1m', headers: false })).get('/', ok),
    );
    const first = await request(server).get('/');
    expect(first.headers.ratelimit).toBeUndefined();
    const rejected = await request(server).get('/');
    expect(rejected.status).toBe(429);
    expect(rejected.headers['retry-after']).toBeDefined();
  });

  it('uses key, cost and skip functions', async () => {
    const server = app((a) =>
      a
        .use(
          rateLimit({
            redis,
            prefix: prefix(),
            limit: 3,
            window: '1m',
            key: (req) => String(req.headers['x-user']),
            cost: (req) => (req.path === '/expensive' ? 3 : 1),
            skip: (req) => req.path === '/health',
          }),
        )
        .get('/expensive', ok)
        .get('/cheap', ok)
        .get('/health', ok),
    );
    await request(server).get('/expensive').set('x-user', 'alice').expect(200);
    await request(server).get('/cheap').set('x-user', 'alice').expect(429);
    await request(server).get('/cheap').set('x-user', 'bob').expect(200);
    const health = await request(server).get('/health').set('x-user', 'alice').expect(200);
    expect(health.headers.ratelimit).toBeUndefined();
  });

  it('uses statusCode, message and handler', async () => {
    const custom = app((a) =>
      a
        .use(
          rateLimit({
            redis,
            prefix: prefix(),
            limit: 1,
            window: '1m',
            statusCode: 503,
            message: 'Slow down',
          }),
        )
        .get('/', ok),
    );
    await request(custom).get('/');
    const rejected = await request(custom).get('/');
    expect(rejected.status).toBe(503);
    expect(rejected.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(rejected.text).toBe('Slow down');

    const handled = app((a) =>
      a
        .use(
          rateLimit({
            redis,
            prefix: prefix(),
            limit: 1,
            window: '1m',
            handler: (_req, res, _next, result) => res.status(418).json({ wait: result.retryAfterMs > 0 }),
          }),
        )
        .get('/', ok),
    );
    await request(handled).get('/');
    const teapot = await request(handled).get('/');
    expect(teapot.status).toBe(418);
    expect(teapot.body).toEqual({ wait: true });
  });

  it('skipFailedRequests gives failed requests back; skipSuccessfulRequests the others', async () => {
    const failing = app((a) =>
      a
        .use(rateLimit({ redis, prefix: prefix(), limit: 2, window: '1m', skipFailedRequests: true }))
        .get('/fail', (_req, res) => void res.status(500).end())
        .get('/', ok),
    );
    for (let i = 0; i < 5; i++) await request(failing).get('/fail').expect(500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await request(failing).get('/').expect(200);
    await request(failing).get('/').expect(200);
    await request(failing).get('/').expect(429);

    const succeeding = app((a) =>
      a
        .use(rateLimit({ redis, prefix: prefix(), limit: 2, window: '1m', skipSuccessfulRequests: true }))
        .get('/', ok),
    );
    for (let i = 0; i < 5; i++) await request(succeeding).get('/').expect(200);
  });

  it('stacks: per-route limiters add to the global one, and the stricter sets the headers', async () => {
    const server = app((a) =>
      a
        .use(rateLimit({ redis, prefix: prefix(), name: 'global', limit: 10, window: '1m' }))
        .get('/login', rateLimit({ redis, prefix: prefix(), name: 'login', limit: 1, window: '1m' }), ok)
        .get('/', ok),
    );
    const first = await request(server).get('/login').expect(200);
    expect(first.headers.ratelimit).toMatch(/^"login";r=0/);
    expect(first.body.rateLimit).toMatchObject({ limit: 1, remaining: 0 });
    await request(server).get('/login').expect(429);
    const other = await request(server).get('/').expect(200);
    expect(other.headers.ratelimit).toMatch(/^"global";r=7/);
  });

  it('keys by client IP by default, IPv6 grouped by /56, behind a trusted proxy', async () => {
    const server = app((a) => {
      a.set('trust proxy', true);
      a.use(rateLimit({ redis, prefix: prefix(), limit: 1, window: '1m' })).get('/', ok);
    });
    await request(server).get('/').set('x-forwarded-for', '2001:db8:1:100::1').expect(200);
    await request(server).get('/').set('x-forwarded-for', '2001:db8:1:1ff::2').expect(429);
    await request(server).get('/').set('x-forwarded-for', '2001:db8:1:200::1').expect(200);
    await request(server).get('/').set('x-forwarded-for', '203.0.113.9').expect(200);
    await request(server).get('/').set('x-forwarded-for', '::ffff:203.0.113.9').expect(429);
  });

  it('keys by the socket address unless the app, or the app it is mounted in, trusts a proxy', async () => {
    const direct = app((a) =>
      a.use(rateLimit({ redis, prefix: prefix(), limit: 1, window: '1m' })).get('/', ok),
    );
    await request(direct).get('/').set('x-forwarded-for', '203.0.113.1').expect(200);
    await request(direct).get('/').set('x-forwarded-for', '203.0.113.2').expect(429);
    const mounted = app((a) => {
      a.set('trust proxy', true);
      const inner = express();
      inner.use(rateLimit({ redis, prefix: prefix(), limit: 1, window: '1m' })).get('/', ok);
      a.use('/inner', inner);
    });
    await request(mounted).get('/inner').set('x-forwarded-for', '203.0.113.1').expect(200);
    await request(mounted).get('/inner').set('x-forwarded-for', '203.0.113.2').expect(200);
    await request(mounted).get('/inner').set('x-forwarded-for', '203.0.113.2').expect(429);
  });

  it('rejects bad options at construction, naming the option', () => {
    expect(() => rateLimit({ redis, limit: -1, window: '1m' })).toThrow(/`limit`/);
    expect(() => rateLimit({ redis, limit: 1, window: 'soon' as never })).toThrow(/`window`/);
    expect(() => rateLimit({ redis, limit: 1, window: '1m', headers: 'draft-9' as 'draft-8' })).toThrow(
      /`headers`/,
    );
    expect(() => rateLimit({ redis, limit: 1, window: '1m', statusCode: 200 })).toThrow(/`statusCode`/);
    expect(() => rateLimit({ redis, limit: 1, window: '1m', algorithm: 'leaky' as 'token-bucket' })).toThrow(
      /`algorithm`/,
    );
    expect(() => rateLimit({ redis, limit: 5, window: '1m', burst: 2 })).toThrow(/`burst`/);
    expect(() => rateLimit({ redis, limit: 5, window: '1m', limt: 3 } as never)).toThrow(/`options.limt`/);
  });
});

describe('rateLimit for Express: two header sets at once', () => {
  it("sends draft-7 and legacy headers with headers: ['draft-7', 'legacy'], and refuses two drafts", async () => {
    const server = app((a) =>
      a
        .use(rateLimit({ redis, prefix: prefix(), limit: 2, window: '1m', headers: ['draft-7', 'legacy'] }))
        .get('/', ok),
    );
    const response = await request(server).get('/').expect(200);
    expect(response.headers['ratelimit-policy']).toBe('2;w=60');
    expect(response.headers.ratelimit).toMatch(/^limit=2, remaining=1, reset=\d+$/);
    expect(response.headers['x-ratelimit-limit']).toBe('2');
    expect(response.headers['x-ratelimit-remaining']).toBe('1');
    expect(response.headers['x-ratelimit-reset']).toBe(
      /reset=(\d+)$/.exec(String(response.headers.ratelimit))?.[1],
    );
    expect(() => rateLimit({ limit: 1, window: '1m', headers: ['draft-7', 'draft-8'] })).toThrow(/`headers`/);
    expect(() => rateLimit({ limit: 1, window: '1m', headers: [] })).toThrow(/`headers`/);
  });
});
