import { randomBytes } from 'node:crypto';
import {
  listenExpress,
  type RedisTarget,
  pinnedRequest as request,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import express, { type Express, type RequestHandler } from 'express';
import type { Response } from 'supertest';
import {
  type ExpressResponseCache,
  type ExpressResponseCacheOptions,
  responseCache,
} from '../../src/express';
import { checkCompression, compressionBodies } from '../helpers/compression-checks';
import { checkOptions, ruleChecks, scriptedOrigin, scriptedResponse } from '../helpers/rfc9111-checks';

const targets = useRedisTargets(['memory', 'ioredis']);

describe.each(targets)('express response cache on $name', (target: RedisTarget) => {
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
    // Every path, on Express 4 and 5 alike (Express 5's wildcard syntax is '/{*path}').
    app.use((req, res, next) => {
      calls++;
      return handler(req, res, next);
    });
    return app;
  }

  const hello: RequestHandler = (_req, res) => {
    res.type('text/plain').send(`hello ${calls}`);
  };

  it('stores a GET: MISS, then HIT with Age, the same body and Content-Type, handler run once', async () => {
    const app = appOf(cacheOf(), hello);
    const first = await request(app).get('/a');
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.headers.age).toBeUndefined();
    const second = await request(app).get('/a');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.headers.age).toMatch(/^\d+$/);
    expect(second.text).toBe('hello 1');
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(calls).toBe(1);
  });

  it('headers set before the cache ran are this request own: neither stored nor replayed', async () => {
    let counter = 0;
    const app = express();
    app.use((_req, res, next) => {
      res.setHeader('X-Per-Request', String(++counter));
      next();
    });
    app.use(cacheOf());
    app.get('/a', (_req, res) => {
      res.setHeader('X-From-Handler', 'kept');
      res.type('text/plain').send(`hello ${++calls}`);
    });
    const first = await request(app).get('/a');
    expect(first.headers['x-per-request']).toBe('1');
    const second = await request(app).get('/a');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.headers['x-per-request']).toBe('2');
    expect(second.headers['x-from-handler']).toBe('kept');
    expect(second.text).toBe('hello 1');
  });

  describe('age and freshness from the origin (RFC 9111)', () => {
    const withHeaders =
      (headers: Record<string, string>): RequestHandler =>
      (_req, res) => {
        res.set(headers).type('text/plain').send(`hello ${calls}`);
      };
    async function twice(app: Express) {
      await request(app).get('/a');
      return request(app).get('/a');
    }

    it('the Age sent adds the origin Age to the time stored', async () => {
      const hit = await twice(appOf(cacheOf(), withHeaders({ 'Cache-Control': 'max-age=3600', Age: '100' })));
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(Number(hit.headers.age)).toBeGreaterThanOrEqual(100);
    });

    it('a response older than its max-age (Age, or Date in the past) is stale: not served', async () => {
      const aged = await twice(appOf(cacheOf(), withHeaders({ 'Cache-Control': 'max-age=60', Age: '120' })));
      expect(aged.headers['x-cache']).toBe('BYPASS');
      const old = new Date(Date.now() - 120_000).toUTCString();
      const dated = await twice(appOf(cacheOf(), withHeaders({ 'Cache-Control': 'max-age=60', Date: old })));
      expect(dated.headers['x-cache']).toBe('BYPASS');
    });

    it('an Age that is not one non-negative integer makes the response stale', async () => {
      for (const age of ['abc', '-1', '1.5', '0, 0', '5;x=1']) {
        await target.flush();
        const hit = await twice(appOf(cacheOf(), withHeaders({ 'Cache-Control': 'max-age=3600', Age: age })));
        expect(hit.headers['x-cache']).toBe('BYPASS');
      }
    });

    it('Expires gives freshness (ttl 0); an invalid or past Expires is stale', async () => {
      const later = new Date(Date.now() + 3_600_000).toUTCString();
      const fresh = await twice(appOf(cacheOf({ ttl: 0 }), withHeaders({ Expires: later })));
      expect(fresh.headers['x-cache']).toBe('HIT');
      await target.flush();
      const invalid = await twice(appOf(cacheOf({ ttl: '1m' }), withHeaders({ Expires: 'soon' })));
      expect(invalid.headers['x-cache']).toBe('BYPASS');
      await target.flush();
      const past = new Date(Date.now() - 60_000).toUTCString();
      const expired = await twice(appOf(cacheOf({ ttl: '1m' }), withHeaders({ Expires: past })));
      expect(expired.headers['x-cache']).toBe('BYPASS');
    });
  });

  it('l1 serves hits from process memory and drops them when another instance invalidates', async () => {
    if (target.name === 'memory') return; // one memory backend per instance: nothing to share
    const tagged = { tags: () => ['t'] };
    const app = appOf(cacheOf({ l1: true, ...tagged }), hello);
    const other = cacheOf(tagged);
    await request(app).get('/l1');
    await waitFor(async () => (await request(app).get('/l1')).headers['x-cache'] === 'HIT');
    await target.flush();
    // The stored copy is gone from Redis: only the L1 tier can answer this.
    expect((await request(app).get('/l1')).headers['x-cache']).toBe('HIT');
    await other.invalidate({ tags: ['t'] });
    await waitFor(async () => (await request(app).get('/l1')).headers['x-cache'] === 'MISS', 15_000);
    expect(calls).toBe(2);
  });

  it('serves HEAD from the GET entry, and never stores a HEAD response as the GET entry', async () => {
    const app = appOf(cacheOf(), hello);
    const head = await request(app).head('/h');
    expect(head.headers['x-cache']).toBe('MISS');
    const get = await request(app).get('/h');
    expect(get.headers['x-cache']).toBe('MISS');
    expect(get.text).toBe('hello 2');
    const head2 = await request(app).head('/h');
    expect(head2.headers['x-cache']).toBe('HIT');
    expect(head2.headers['content-length']).toBe(String(Buffer.byteLength('hello 2')));
    expect(head2.text).toBeUndefined();
    expect(calls).toBe(2);
  });

  it('keys by path and sorted query; other methods bypass', async () => {
    const app = appOf(cacheOf(), hello);
    await request(app).get('/q?b=2&a=1');
    expect((await request(app).get('/q?a=1&b=2')).headers['x-cache']).toBe('HIT');
    expect((await request(app).get('/q?a=1&b=3')).headers['x-cache']).toBe('MISS');
    expect((await request(app).get('/other?a=1&b=2')).headers['x-cache']).toBe('MISS');
    const post = await request(app).post('/q?a=1&b=2');
    expect(post.headers['x-cache']).toBe('BYPASS');
    expect(calls).toBe(4);
  });

  it('replays a streamed binary body byte for byte with its Content-Type', async () => {
    const bytes = randomBytes(200_000);
    const app = appOf(cacheOf(), (_req, res) => {
      res.setHeader('Content-Type', 'application/octet-stream');
      for (let at = 0; at < bytes.length; at += 16_384) res.write(bytes.subarray(at, at + 16_384));
      res.end();
    });
    const parse = (res: Response, done: (error: Error | null, body: Buffer) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    };
    const first = await request(app).get('/bin').buffer(true).parse(parse);
    expect(Buffer.compare(first.body as Buffer, bytes)).toBe(0);
    const second = await request(app).get('/bin').buffer(true).parse(parse);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.compare(second.body as Buffer, bytes)).toBe(0);
    expect(calls).toBe(1);
  });

  it('passes bodies over maxBodySize through, unstored', async () => {
    const big = 'x'.repeat(5000);
    const app = appOf(cacheOf({ maxBodySize: 1000 }), (_req, res) => {
      res.type('text/plain').send(big);
    });
    const first = await request(app).get('/big');
    expect(first.text).toBe(big);
    const second = await request(app).get('/big');
    expect(second.headers['x-cache']).toBe('MISS');
    expect(second.text).toBe(big);
    expect(calls).toBe(2);
  });

  it('stores large bodies gzip-compressed and serves each client per its Accept-Encoding', async () => {
    const app = express();
    app.use(cacheOf());
    app.get('/text', (_req, res) => res.type('text/plain').send(compressionBodies.text));
    app.get('/small', (_req, res) => res.type('text/plain').send(compressionBodies.small));
    app.get('/binary', (_req, res) => res.type('application/octet-stream').send(compressionBodies.binary));
    app.get('/encoded', (_req, res) => {
      res.set({ 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' }).send(compressionBodies.encoded);
    });
    const server = await listenExpress(app);
    try {
      await checkCompression(server.url);
    } finally {
      await server.close();
    }
  });

  it('compressAbove false stores bodies as they are', async () => {
    const app = appOf(cacheOf({ compressAbove: false }), (_req, res) => {
      res.type('text/plain').send(compressionBodies.text);
    });
    await request(app).get('/t');
    const hit = await request(app).get('/t').set('Accept-Encoding', 'gzip');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['content-encoding']).toBeUndefined();
  });

  it.each(ruleChecks)('$name', async ({ options, run }) => {
    const origin = scriptedOrigin();
    const app = appOf(cacheOf({ ...checkOptions, ...options }), async (req, res, next) => {
      const response = await scriptedResponse(origin, req.originalUrl, req.headers.authorization);
      if (response === 'fail') return next(new Error('origin down'));
      res.status(response.status);
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.send(response.body);
    });
    const server = await listenExpress(app);
    try {
      await run(server.url, origin);
    } finally {
      await server.close();
    }
  });

  it('stores only allowed statuses', async () => {
    const app = appOf(cacheOf(), (req, res) => {
      res.status(Number(req.query.status)).send(`status ${calls}`);
    });
    for (const status of ['404', '500', '201']) {
      await request(app).get(`/s?status=${status}`);
      await request(app).get(`/s?status=${status}`);
    }
    expect(calls).toBe(5);
    expect((await request(app).get('/s?status=404')).headers['x-cache']).toBe('HIT');
  });

  describe('security', () => {
    it('never replays Set-Cookie: such responses are not stored', async () => {
      const app = appOf(cacheOf(), (_req, res) => {
        res.cookie('sid', `secret-${calls}`).send('with cookie');
      });
      const first = await request(app).get('/c');
      expect(first.headers['x-cache']).toBe('BYPASS');
      const second = await request(app).get('/c');
      expect(second.headers['set-cookie']?.[0]).toMatch(/^sid=secret-2/);
      expect(calls).toBe(2);
    });

    it('never shares responses to requests with Authorization or Cookie', async () => {
      const app = appOf(cacheOf(), (req, res) => {
        res.send(`for ${req.headers.authorization ?? req.headers.cookie ?? 'anyone'}`);
      });
      const auth = await request(app).get('/me').set('Authorization', 'Bearer alice');
      expect(auth.headers['x-cache']).toBe('BYPASS');
      expect((await request(app).get('/me').set('Cookie', 'sid=bob')).headers['x-cache']).toBe('BYPASS');
      const anonymous = await request(app).get('/me');
      expect(anonymous.headers['x-cache']).toBe('MISS');
      expect(anonymous.text).toBe('for anyone');
      const again = await request(app).get('/me').set('Authorization', 'Bearer alice');
      expect(again.headers['x-cache']).toBe('BYPASS');
      expect(again.text).toBe('for Bearer alice');
    });

    it('caches credentialed requests per user only when the route has a key', async () => {
      const cache = cacheOf();
      const app = express();
      app.get('/mine', cache.route({ key: (req) => req.headers.authorization }), (req, res) => {
        calls++;
        res.send(`for ${req.headers.authorization ?? ''} ${calls}`);
      });
      await request(app).get('/mine').set('Authorization', 'alice');
      const alice = await request(app).get('/mine').set('Authorization', 'alice');
      expect(alice.headers['x-cache']).toBe('HIT');
      expect(alice.text).toBe('for alice 1');
      const bob = await request(app).get('/mine').set('Authorization', 'bob');
      expect(bob.headers['x-cache']).toBe('MISS');
      expect(bob.text).toBe('for bob 2');
    });

    it('Host poisoning: with default options each Host has entries of its own', async () => {
      const app = appOf(cacheOf(), (req, res) => {
        res.send(`link http://${req.headers.host}/next`);
      });
      await request(app).get('/p').set('Host', 'evil.example');
      const good = await request(app).get('/p').set('Host', 'good.example');
      expect(good.headers['x-cache']).toBe('MISS');
      expect(good.text).toBe('link http://good.example/next');
      expect((await request(app).get('/p').set('Host', 'GOOD.example')).headers['x-cache']).toBe('HIT');
    });

    it('Host poisoning: with trusted hosts, unknown hosts are never cached, known ones apart', async () => {
      const app = appOf(cacheOf({ trustedHosts: ['a.example', 'b.example'] }), (req, res) => {
        res.send(`host ${req.headers.host}`);
      });
      expect((await request(app).get('/t').set('Host', 'evil.example')).headers['x-cache']).toBe('BYPASS');
      expect((await request(app).get('/t').set('Host', 'evil.example')).headers['x-cache']).toBe('BYPASS');
      await request(app).get('/t').set('Host', 'a.example');
      const a = await request(app).get('/t').set('Host', 'A.example');
      expect(a.headers['x-cache']).toBe('HIT');
      expect(a.text).toBe('host a.example');
      const b = await request(app).get('/t').set('Host', 'b.example');
      expect(b.text).toBe('host b.example');
    });

    // no-cache is stored but revalidated on every use: revalidation.test.ts.
    it.each(['private', 'no-store', 'private, max-age=60'])(
      'honours the response Cache-Control %s: not stored, header untouched',
      async (cacheControl) => {
        const app = appOf(cacheOf(), (_req, res) => {
          res.set('Cache-Control', cacheControl).send('x');
        });
        const first = await request(app).get('/cc');
        expect(first.headers['x-cache']).toBe('BYPASS');
        expect(first.headers['cache-control']).toBe(cacheControl);
        await request(app).get('/cc');
        expect(calls).toBe(2);
      },
    );

    it('honours the request no-store, and Vary: * is never stored', async () => {
      const app = appOf(cacheOf(), (req, res) => {
        if (req.path === '/star') res.set('Vary', '*');
        res.send('x');
      });
      await request(app).get('/ns');
      expect((await request(app).get('/ns').set('Cache-Control', 'no-store')).headers['x-cache']).toBe(
        'BYPASS',
      );
      await request(app).get('/star');
      expect((await request(app).get('/star')).headers['x-cache']).toBe('BYPASS');
      expect(calls).toBe(4);
    });

    it('answers 304 only for the If-None-Match of that entry (weak comparison)', async () => {
      const app = appOf(cacheOf(), (req, res) => {
        res.set('ETag', req.path === '/e1' ? '"one"' : '"two"').send(req.path);
      });
      await request(app).get('/e1');
      await request(app).get('/e2');
      const hit = await request(app).get('/e1').set('If-None-Match', 'W/"one"');
      expect(hit.status).toBe(304);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers.etag).toBe('"one"');
      const other = await request(app).get('/e1').set('If-None-Match', '"two"');
      expect(other.status).toBe(200);
      expect(other.text).toBe('/e1');
    });
  });

  it('makes a strong ETag from the body when the app sets none', async () => {
    const app = appOf(cacheOf(), (_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end('raw body');
    });
    await request(app).get('/raw');
    const hit = await request(app).get('/raw');
    expect(hit.headers.etag).toMatch(/^"/);
    expect(
      (
        await request(app)
          .get('/raw')
          .set('If-None-Match', hit.headers.etag ?? '')
      ).status,
    ).toBe(304);
  });

  it('never rewrites the app Cache-Control; s-maxage wins over max-age', async () => {
    const app = appOf(cacheOf(), (_req, res) => {
      res.set('Cache-Control', 'public, max-age=600, s-maxage=1').send(`v${calls}`);
    });
    await request(app).get('/sm');
    const hit = await request(app).get('/sm');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['cache-control']).toBe('public, max-age=600, s-maxage=1');
    await waitFor(async () => (await request(app).get('/sm')).headers['x-cache'] === 'MISS', 5_000);
  });

  it('ttl 0 stores only responses whose Cache-Control gives a freshness', async () => {
    const app = appOf(cacheOf({ ttl: 0 }), (req, res) => {
      if (req.path === '/fresh') res.set('Cache-Control', 'max-age=60');
      res.send('x');
    });
    await request(app).get('/none');
    expect((await request(app).get('/none')).headers['x-cache']).toBe('BYPASS');
    await request(app).get('/fresh');
    expect((await request(app).get('/fresh')).headers['x-cache']).toBe('HIT');
  });

  it('stores one variant per value of the Vary headers', async () => {
    const app = appOf(cacheOf(), (req, res) => {
      res.set('Vary', 'Accept-Language').send(`lang ${req.headers['accept-language']} ${calls}`);
    });
    await request(app).get('/v').set('Accept-Language', 'en');
    const fr = await request(app).get('/v').set('Accept-Language', 'fr');
    expect(fr.headers['x-cache']).toBe('MISS');
    expect(fr.text).toBe('lang fr 2');
    const en = await request(app).get('/v').set('Accept-Language', 'en');
    expect(en.headers['x-cache']).toBe('HIT');
    expect(en.text).toBe('lang en 1');
    expect((await request(app).get('/v').set('Accept-Language', 'fr')).text).toBe('lang fr 2');
  });

  it('coalesces concurrent misses: the handler runs once, the others are served its response', async () => {
    const app = appOf(cacheOf(), async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res.send(`slow ${calls}`);
    });
    const responses = await Promise.all(Array.from({ length: 20 }, () => request(app).get('/slow')));
    expect(calls).toBe(1);
    expect(responses.every((response) => response.text === 'slow 1')).toBe(true);
    expect(responses.filter((response) => response.headers['x-cache'] === 'MISS')).toHaveLength(1);
  });

  it('invalidates by tag and by path', async () => {
    const cache = cacheOf({ tags: (req) => [`item:${String(req.query.id)}`] });
    const app = appOf(cache, hello);
    await request(app).get('/items?id=1');
    await request(app).get('/items?id=2');
    await request(app).get('/list');
    await cache.invalidate({ tags: ['item:1'] });
    expect((await request(app).get('/items?id=1')).headers['x-cache']).toBe('MISS');
    expect((await request(app).get('/items?id=2')).headers['x-cache']).toBe('HIT');
    await cache.invalidate({ paths: ['/list'] });
    expect((await request(app).get('/list')).headers['x-cache']).toBe('MISS');
    expect((await request(app).get('/items?id=2')).headers['x-cache']).toBe('HIT');
  });

  it('shares entries and invalidations across instances on one Redis', async () => {
    if (target.name === 'memory') return; // one memory backend per instance: nothing to share
    const first = cacheOf({ tags: () => ['shared'] });
    const second = cacheOf({ tags: () => ['shared'] });
    const appA = appOf(first, hello);
    const appB = appOf(second, hello);
    await request(appA).get('/shared');
    const fromB = await request(appB).get('/shared');
    expect(fromB.headers['x-cache']).toBe('HIT');
    expect(fromB.text).toBe('hello 1');
    await second.invalidate({ tags: ['shared'] });
    expect((await request(appA).get('/shared')).headers['x-cache']).toBe('MISS');
    await second.invalidate({ paths: ['/shared'] });
    expect((await request(appA).get('/shared')).headers['x-cache']).toBe('MISS');
  });

  it('stale-while-revalidate: the refresh leaves out the client conditionals (a full response is stored)', async () => {
    // 2 s fresh: long enough that, on a loaded machine, the refreshed entry is seen fresh (HIT)
    // before it goes stale again (each stale read would start another refresh).
    const app = appOf(cacheOf({ ttl: 2000, staleWhileRevalidate: '1m' }), (_req, res) => {
      // Express's send() answers a matching If-None-Match with 304: a refresh must not carry it.
      res.type('text/plain').send('same body');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const etag = String((await request(server).get('/cond')).headers.etag);
      await waitFor(
        async () =>
          (await request(server).head('/cond').set('If-None-Match', etag)).headers['x-cache'] === 'STALE',
        8_000,
      );
      await waitFor(async () => (await request(server).get('/cond')).headers['x-cache'] === 'HIT', 8_000);
      expect(calls).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stale-while-revalidate: serves STALE and refreshes once in the background over loopback', async () => {
    // 2 s fresh: long enough that, on a loaded machine, the refreshed entry is seen fresh (HIT)
    // before it goes stale again (each stale read would start another refresh).
    const app = appOf(cacheOf({ ttl: 2000, staleWhileRevalidate: '1m' }), hello);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await request(server).get('/swr');
      await waitFor(async () => (await request(server).head('/swr')).headers['x-cache'] === 'STALE', 8_000);
      await waitFor(async () => {
        const response = await request(server).get('/swr');
        return response.headers['x-cache'] === 'HIT' && response.text === 'hello 2';
      }, 8_000);
      expect(calls).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stale-if-error: the failing request itself gets the stored response (throw, next(err), 5xx)', async () => {
    let fail = false;
    const app = appOf(cacheOf({ ttl: 1000, staleIfError: '1m' }), (req, res, next) => {
      if (!fail) return void res.type('text/plain').send(`good ${req.path}`);
      if (req.path === '/sie/throw') throw new Error('database down');
      if (req.path === '/sie/next') return next(new Error('database down'));
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.write('over');
      res.end('loaded');
    });
    const paths = ['/sie/throw', '/sie/next', '/sie/503'];
    for (const path of paths) await request(app).get(path);
    fail = true;
    for (const path of paths) {
      // Each entry's freshness ends on its own.
      await waitFor(async () => (await request(app).head(path)).headers['x-cache'] !== 'HIT', 5_000);
      const stale = await request(app).get(path);
      expect(stale.status).toBe(200);
      expect(stale.headers['x-cache']).toBe('STALE');
      expect(stale.text).toBe(`good ${path}`);
    }
    const head = await request(app).head('/sie/503');
    expect(head.status).toBe(200);
    expect(head.headers['x-cache']).toBe('STALE');
  });

  it('stale-if-error: without a stale entry the 5xx goes out whole, X-Cache BYPASS', async () => {
    const app = appOf(cacheOf({ staleIfError: '1m' }), (req, res, next) => {
      if (req.path === '/next') return next(new Error('database down'));
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.write('over');
      res.end('loaded');
    });
    const unavailable = await request(app).get('/503');
    expect(unavailable.status).toBe(503);
    expect(unavailable.text).toBe('overloaded');
    expect(unavailable.headers['x-cache']).toBe('BYPASS');
    const failed = await request(app).get('/next');
    expect(failed.status).toBe(500);
    expect((await request(app).get('/503')).status).toBe(503);
    expect(calls).toBe(3);
  });

  it('security: concurrent requests never share a Set-Cookie response', async () => {
    const app = appOf(cacheOf(), async (_req, res) => {
      const user = calls;
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.cookie('sid', `user-${user}`).send('personal');
    });
    const responses = await Promise.all(Array.from({ length: 10 }, () => request(app).get('/sc')));
    const cookies = responses.map((response) => String(response.headers['set-cookie']?.[0]).split(';')[0]);
    expect(new Set(cookies).size).toBe(10);
    expect(responses.every((response) => response.headers['x-cache'] !== 'HIT')).toBe(true);
  });
});
