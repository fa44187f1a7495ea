import { setTimeout as sleep } from 'node:timers/promises';
import {
  listenExpress,
  type RedisTarget,
  pinnedRequest as request,
  useRedisTargets,
} from '@rediware/testing';
import express, { type Express, type RequestHandler } from 'express';
import {
  type ExpressResponseCache,
  type ExpressResponseCacheOptions,
  responseCache,
} from '../../src/express';

// What apicache users rely on, as docs/migrating/apicache.md maps it, on Express (4 and 5).

const targets = useRedisTargets(['ioredis', 'node-redis']);

describe.each(targets)('apicache parity (express) on $name', (target: RedisTarget) => {
  const caches: ExpressResponseCache[] = [];
  let calls: number;
  beforeEach(async () => {
    await target.flush();
    calls = 0;
  });
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((cache) => cache.close()));
  });

  function cacheOf(options: Partial<ExpressResponseCacheOptions> = {}): ExpressResponseCache {
    const cache = responseCache({ redis: target.client(), ttl: '1m', minUses: 1, ...options });
    caches.push(cache);
    return cache;
  }

  function appOf(cache: RequestHandler, handler: RequestHandler): Express {
    const app = express();
    app.use(cache);
    app.use((req, res, next) => {
      calls++;
      return handler(req, res, next);
    });
    return app;
  }

  const counted: RequestHandler = (_req, res) => {
    res.setHeader('x-request-id', `id-${calls}`);
    res.setHeader('x-powered-by-handler', 'yes');
    res.type('text/plain').send(`body ${calls}`);
  };

  it('omitHeaders (headerBlacklist): the miss sends them, the stored copy and every hit go without', async () => {
    const app = appOf(cacheOf({ omitHeaders: ['X-Request-Id'] }), counted);
    const miss = await request(app).get('/a');
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['x-request-id']).toBe('id-1');
    const hit = await request(app).get('/a');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.text).toBe('body 1');
    expect(hit.headers['x-request-id']).toBeUndefined();
    // Only the named header: the others are replayed, the body's type and ETag too.
    expect(hit.headers['x-powered-by-handler']).toBe('yes');
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(calls).toBe(1);
  });

  it('omitHeaders per route (cache.route); a route without it stores the header', async () => {
    const cache = cacheOf();
    const app = express();
    app.get('/kept', cache, counted);
    app.get('/omitted', cache.route({ omitHeaders: ['x-request-id'] }), counted);
    await request(app).get('/kept');
    await request(app).get('/omitted');
    expect((await request(app).get('/kept')).headers['x-request-id']).toBe('id-0');
    const omitted = await request(app).get('/omitted');
    expect(omitted.headers['x-cache']).toBe('HIT');
    expect(omitted.headers['x-request-id']).toBeUndefined();
  });

  it('omitHeaders holds after a revalidation: the 304 freshens the stored copy, its omitted header stays out', async () => {
    const app = appOf(cacheOf({ omitHeaders: ['x-request-id'] }), (req, res) => {
      res.setHeader('x-request-id', `id-${calls}`);
      res.setHeader('cache-control', 'max-age=1');
      res.setHeader('etag', '"v1"');
      if (req.get('if-none-match') === '"v1"') res.status(304).end();
      else res.type('text/plain').send(`body ${calls}`);
    });
    await request(app).get('/r');
    await sleep(1_100);
    // Stale: the handler is asked with If-None-Match and answers 304.
    const revalidated = await request(app).get('/r');
    expect([revalidated.status, revalidated.text]).toEqual([200, 'body 1']);
    expect(calls).toBe(2);
    const hit = await request(app).get('/r');
    expect([hit.headers['x-cache'], hit.text, hit.headers['x-request-id']]).toEqual([
      'HIT',
      'body 1',
      undefined,
    ]);
    expect(calls).toBe(2);
  });

  it('skip (toggle): a request it returns true for bypasses, is not stored, and is not served a stored copy', async () => {
    const app = appOf(
      cacheOf({ skip: (req) => req.query.fresh !== undefined || req.get('x-no-cache') === '1' }),
      counted,
    );
    expect((await request(app).get('/s')).headers['x-cache']).toBe('MISS');
    expect((await request(app).get('/s')).headers['x-cache']).toBe('HIT');
    // Skipped: the handler answers, although /s is stored.
    const skipped = await request(app).get('/s').set('x-no-cache', '1');
    expect(skipped.headers['x-cache']).toBe('BYPASS');
    expect(skipped.text).toBe('body 2');
    // Skipped requests store nothing: the next one misses again.
    expect((await request(app).get('/t?fresh')).headers['x-cache']).toBe('BYPASS');
    expect((await request(app).get('/t?fresh')).headers['x-cache']).toBe('BYPASS');
    expect(calls).toBe(4);
  });

  it('skip with an L1 tier: a stored response in process memory is not served either', async () => {
    let skipping = false;
    const app = appOf(cacheOf({ l1: true, skip: () => skipping }), counted);
    await request(app).get('/l1');
    expect((await request(app).get('/l1')).headers['x-cache']).toBe('HIT');
    skipping = true;
    const skipped = await request(app).get('/l1');
    expect(skipped.headers['x-cache']).toBe('BYPASS');
    expect(calls).toBe(2);
  });

  it('statusCodes.include → statuses: only those statuses are stored without explicit freshness', async () => {
    let status = 404;
    const app = appOf(cacheOf({ statuses: [200] }), (_req, res) => {
      res.status(status).send(`status ${status} ${calls}`);
    });
    await request(app).get('/gone');
    const again = await request(app).get('/gone');
    expect([again.headers['x-cache'], again.text]).toEqual(['BYPASS', 'status 404 2']);
    status = 200;
    await request(app).get('/ok');
    expect((await request(app).get('/ok')).headers['x-cache']).toBe('HIT');
  });

  it('clear(target) → invalidate({ paths }) and invalidate({ tags }) (groups), on every instance', async () => {
    const options = { tags: (req: express.Request) => (req.path.startsWith('/users') ? ['users'] : []) };
    const [one, two] = [cacheOf(options), cacheOf(options)];
    const first = appOf(one, counted);
    const second = appOf(two, counted);
    for (const path of ['/users/1', '/users/2', '/posts/1']) await request(first).get(path);
    for (const path of ['/users/1', '/users/2', '/posts/1'])
      expect((await request(second).get(path)).headers['x-cache']).toBe('HIT');
    await one.invalidate({ tags: ['users'] }); // apicache.clear('users')
    expect((await request(second).get('/users/1')).headers['x-cache']).toBe('MISS');
    expect((await request(second).get('/users/2')).headers['x-cache']).toBe('MISS');
    expect((await request(second).get('/posts/1')).headers['x-cache']).toBe('HIT');
    await one.invalidate({ paths: ['/posts/1'] }); // apicache.clear('/posts/1')
    expect((await request(second).get('/posts/1?page=2')).headers['x-cache']).toBe('MISS');
    expect((await request(second).get('/posts/1')).headers['x-cache']).toBe('MISS');
  });

  it("appendKey → key: entries per user; the user comes from the app's authentication, not a header a client picks", async () => {
    const users: Record<string, string> = { 'token-a': 'alice', 'token-b': 'bob' };
    const app = express();
    // The app's authentication: a verified token, then req.user.
    app.use((req, _res, next) => {
      (req as express.Request & { user?: string | undefined }).user = users[req.get('authorization') ?? ''];
      next();
    });
    const cache = cacheOf({ key: (req) => (req as express.Request & { user?: string | undefined }).user });
    app.use(cache);
    app.get('/me', (req, res) => {
      calls++;
      res.send(`feed of ${(req as express.Request & { user?: string | undefined }).user}`);
    });
    await request(app).get('/me').set('authorization', 'token-a');
    await request(app).get('/me').set('authorization', 'token-b');
    const alice = await request(app).get('/me').set('authorization', 'token-a');
    expect([alice.headers['x-cache'], alice.text]).toEqual(['HIT', 'feed of alice']);
    const bob = await request(app).get('/me').set('authorization', 'token-b');
    expect([bob.headers['x-cache'], bob.text]).toEqual(['HIT', 'feed of bob']);
    // No verified user: not cached at all, never another user's entry.
    const anonymous = await request(app).get('/me').set('authorization', 'forged');
    expect([anonymous.headers['x-cache'], anonymous.text]).toEqual(['BYPASS', 'feed of undefined']);
    expect(calls).toBe(3);
  });

  it("the guide's after example: 5m, statuses [200], omitHeaders, a group as tags, the toggle as skip", async () => {
    const cache = cacheOf({ ttl: '5m', statuses: [200], omitHeaders: ['x-request-id'], minUses: 1 });
    const collectionCache = cache.route({
      tags: (req) => [String(req.params.collection)],
      skip: (req) => req.query.preview !== undefined,
    });
    const app = express();
    app.get('/api/:collection/:id', collectionCache, (req, res) => {
      calls++;
      res.setHeader('x-request-id', `id-${calls}`);
      res.json({ collection: req.params.collection, id: req.params.id, calls });
    });
    app.post('/api/:collection/:id', async (req, res) => {
      await cache.invalidate({ tags: [String(req.params.collection)] });
      res.send('updated');
    });
    expect((await request(app).get('/api/posts/1')).headers['x-request-id']).toBe('id-1');
    await request(app).get('/api/posts/2');
    await request(app).get('/api/users/1');
    const hit = await request(app).get('/api/posts/1');
    expect([hit.headers['x-cache'], hit.body.calls, hit.headers['x-request-id']]).toEqual([
      'HIT',
      1,
      undefined,
    ]);
    expect((await request(app).get('/api/posts/1?preview')).headers['x-cache']).toBe('BYPASS');
    await request(app).post('/api/posts/1');
    expect((await request(app).get('/api/posts/2')).headers['x-cache']).toBe('MISS');
    expect((await request(app).get('/api/users/1')).headers['x-cache']).toBe('HIT');
  });

  it('a real listening server: skip and omitHeaders over HTTP as well', async () => {
    const app = appOf(
      cacheOf({ omitHeaders: ['x-request-id'], skip: (req) => req.path === '/never' }),
      counted,
    );
    const server = await listenExpress(app);
    try {
      await fetch(`${server.url}/a`);
      const hit = await fetch(`${server.url}/a`);
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(hit.headers.get('x-request-id')).toBeNull();
      await fetch(`${server.url}/never`);
      expect((await fetch(`${server.url}/never`)).headers.get('x-cache')).toBe('BYPASS');
    } finally {
      await server.close();
    }
  });
});

describe('apicache options that do not map one to one', () => {
  it.each([
    [{ ttl: '5 minutes' }, 'ttl'],
    [{ ttl: '1m', omitHeaders: ['content-type'] }, 'omitHeaders'],
    [{ ttl: '1m', omitHeaders: ['ETag'] }, 'omitHeaders'],
    [{ ttl: '1m', omitHeaders: 'x-request-id' }, 'omitHeaders'],
    [{ ttl: '1m', omitHeaders: ['bad header'] }, 'omitHeaders'],
    [{ ttl: '1m', skip: true }, 'skip'],
  ])('rejects %j naming %s', (options, option) => {
    expect(() => responseCache(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_RW_CONFIG', option }),
    );
  });
});
