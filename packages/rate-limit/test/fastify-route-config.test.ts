import {
  allKeys,
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  startRedis,
} from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRateLimiter } from '../src';
import rateLimitPlugin, { type FastifyRateLimitOptions } from '../src/fastify';

let server: RedisServer;
let redis: IoredisClient;
let prefixCounter = 0;
const prefix = () => `rwroutes${++prefixCounter}:`;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

async function build(options: FastifyRateLimitOptions, routes: (app: FastifyInstance) => void) {
  const app = Fastify();
  apps.push(app);
  await app.register(rateLimitPlugin, { redis, ...options });
  routes(app);
  await app.ready();
  return app;
}

/** Status and rate limit headers of `count` GETs of `url`, one after another. */
async function statuses(app: FastifyInstance, url: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await app.inject(url)).statusCode);
  return seen;
}

/** The RW_ROUTE_CONFIG_TYPO warnings emitted while `run` runs. */
async function typoWarnings(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
    if (typeof options === 'object' && options.code === 'RW_ROUTE_CONFIG_TYPO') seen.push(String(warning));
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

describe('Fastify route limits inherit the plugin options', () => {
  it('a route that sets only limit keeps the plugin window; one that sets only window keeps its limit', async () => {
    const app = await build({ prefix: prefix(), global: false, limit: 3, window: '1m' }, (app) => {
      app.get('/limit', { config: { rateLimit: { limit: 1 } } }, async () => 'x');
      app.get('/window', { config: { rateLimit: { window: '10s' } } }, async () => 'x');
    });
    const limited = await app.inject('/limit');
    expect(limited.headers['ratelimit-policy']).toBe('"GET/limit";q=1;w=60');
    expect((await app.inject('/limit')).statusCode).toBe(429);
    const windowed = await app.inject('/window');
    expect(windowed.headers['ratelimit-policy']).toBe('"GET/window";q=3;w=10');
    expect(await statuses(app, '/window', 3)).toEqual([200, 200, 429]);
  });

  it('inherits algorithm, key, headers and prefix; a route with its own limit gets a bucket of that size', async () => {
    const own = prefix();
    const app = await build(
      {
        prefix: own,
        global: false,
        algorithm: 'token-bucket',
        limit: 10,
        burst: 20,
        window: '1m',
        headers: 'legacy',
        key: (request) => String(request.headers['x-user']),
      },
      (app) => {
        app.get('/bucket', { config: { rateLimit: { limit: 2 } } }, async () => 'x');
        app.get('/burst', { config: { rateLimit: { window: '1h' } } }, async () => 'x');
      },
    );
    const reply = await app.inject({ url: '/bucket', headers: { 'x-user': 'ann' } });
    expect(reply.headers['x-ratelimit-limit']).toBe('2');
    expect(reply.headers['x-ratelimit-remaining']).toBe('1');
    expect(reply.headers.ratelimit).toBeUndefined();
    expect((await app.inject({ url: '/bucket', headers: { 'x-user': 'ann' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/bucket', headers: { 'x-user': 'ann' } })).statusCode).toBe(429);
    // Another key, as the plugin's key function reads it: its own bucket.
    expect((await app.inject({ url: '/bucket', headers: { 'x-user': 'bob' } })).statusCode).toBe(200);
    // The plugin's limit 10 with its burst 20.
    const burst = await app.inject({ url: '/burst', headers: { 'x-user': 'ann' } });
    expect(burst.headers['x-ratelimit-remaining']).toBe('19');
    const keys = await allKeys(server);
    expect(keys.filter((key) => key.startsWith(own)).sort()).toEqual([
      expect.stringMatching(/\{ann\}:GET\/bucket:token-bucket:2:/),
      expect.stringMatching(/\{ann\}:GET\/burst:token-bucket:10:/),
      expect.stringMatching(/\{bob\}:GET\/bucket:token-bucket:2:/),
    ]);
  });

  it('two routes with the same options count apart; routes given one name share a counter', async () => {
    const app = await build({ prefix: prefix(), global: false, limit: 2, window: '1m' }, (app) => {
      app.get('/a', { config: { rateLimit: {} } }, async () => 'a');
      app.get('/b', { config: { rateLimit: {} } }, async () => 'b');
      app.get('/c', { config: { rateLimit: { name: 'shared' } } }, async () => 'c');
      app.get('/d', { config: { rateLimit: { name: 'shared' } } }, async () => 'd');
    });
    expect(await statuses(app, '/a', 3)).toEqual([200, 200, 429]);
    expect(await statuses(app, '/b', 3)).toEqual([200, 200, 429]);
    expect(await statuses(app, '/c', 1)).toEqual([200]);
    expect(await statuses(app, '/d', 2)).toEqual([200, 429]);
  });

  it("a route under the global limit counts on its own and on the global limit; the plugin's name stays the global one", async () => {
    const app = await build({ prefix: prefix(), name: 'site', limit: 3, window: '1m' }, (app) => {
      app.get('/login', { config: { rateLimit: { limit: 1 } } }, async () => 'login');
      app.get('/', async () => 'home');
    });
    const login = await app.inject('/login');
    expect(login.headers['ratelimit-policy']).toBe('"GET/login";q=1;w=60');
    expect((await app.inject('/login')).statusCode).toBe(429);
    const home = await app.inject('/');
    expect(home.headers.ratelimit).toMatch(/^"site";r=0/);
  });

  it("with an existing limiter, routes inherit that limiter's options but count on their own", async () => {
    const own = prefix();
    const limiter = createRateLimiter({
      redis,
      prefix: own,
      algorithm: 'fixed-window',
      limit: 5,
      window: '1m',
    });
    const app = await build({ limiter, global: false }, (app) => {
      app.get('/one', { config: { rateLimit: { limit: 1 } } }, async () => 'x');
      app.get('/five', { config: { rateLimit: {} } }, async () => 'x');
    });
    expect(await statuses(app, '/one', 2)).toEqual([200, 429]);
    expect(await statuses(app, '/five', 6)).toEqual([200, 200, 200, 200, 200, 429]);
    const keys = (await allKeys(server)).filter((key) => key.startsWith(own));
    expect(keys.sort()).toEqual([
      expect.stringContaining(':GET/five:fixed-window:5:60000'),
      expect.stringContaining(':GET/one:fixed-window:1:60000'),
    ]);
  });

  it('a route whose path is not a valid limiter name gets an encoded one instead of failing at start', async () => {
    const long = `/${'x'.repeat(200)}`;
    const app = await build({ prefix: prefix(), global: false, limit: 1, window: '1m' }, (app) => {
      app.get('/café', { config: { rateLimit: {} } }, async () => 'x');
      app.get(long, { config: { rateLimit: {} } }, async () => 'x');
    });
    const cafe = await app.inject('/caf%C3%A9');
    expect(cafe.headers['ratelimit-policy']).toBe('"GET/caf%C3%A9";q=1;w=60');
    const reply = await app.inject(long);
    expect(reply.statusCode).toBe(200);
    expect(String(reply.headers['ratelimit-policy'])).toMatch(/^"GET\/x{107}~[\w-]{16}";q=1;w=60$/);
  });
});

describe('Fastify route config typos', () => {
  it('warns once per misspelt key, naming the route and the right key; the route stays unlimited', async () => {
    let app: FastifyInstance | undefined;
    const warnings = await typoWarnings(async () => {
      app = await build({ prefix: prefix(), global: false, limit: 1, window: '1m' }, (app) => {
        app.get('/a', { config: { rateLimt: { limit: 1 } } as object }, async () => 'a');
        app.get('/b', { config: { rateLimt: { limit: 1 } } as object }, async () => 'b');
        app.get('/c', { config: { RateLimit: { limit: 1 } } as object }, async () => 'c');
      });
    });
    expect(warnings).toEqual([
      expect.stringMatching(/route GET \/a has `config\.rateLimt`.*Did you mean `config\.rateLimit`\?/),
      expect.stringMatching(/route GET \/c has `config\.RateLimit`.*Did you mean `config\.rateLimit`\?/),
    ]);
    expect(warnings[0]).toMatch(/^@rediware\/rate-limit: /);
    expect(await statuses(app as FastifyInstance, '/a', 3)).toEqual([200, 200, 200]);
  });

  it('does not warn for the right key nor for unrelated keys', async () => {
    const warnings = await typoWarnings(() =>
      build({ prefix: prefix(), limit: 5, window: '1m' }, (app) => {
        app.get('/a', { config: { rateLimit: { limit: 1 } } }, async () => 'a');
        app.get('/b', { config: { rateLimit: false, auth: 'admin', limits: 3 } as object }, async () => 'b');
        app.get('/c', async () => 'c');
      }),
    );
    expect(warnings).toEqual([]);
  });
});
