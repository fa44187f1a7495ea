import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  type ListeningApp,
  listenFastify,
  type RedisTarget,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import responseCache, { type FastifyResponseCacheOptions } from '../../src/fastify';
import { checkCompression, compressionBodies } from '../helpers/compression-checks';
import { rawGet } from '../helpers/raw-get';
import { checkOptions, ruleChecks, scriptedOrigin, scriptedResponse } from '../helpers/rfc9111-checks';

const targets = useRedisTargets(['memory', 'ioredis']);

describe.each(targets)('fastify response cache on $name', (target: RedisTarget) => {
  const servers: ListeningApp[] = [];
  let calls: number;
  beforeEach(async () => {
    await target.flush();
    calls = 0;
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(
    options: Partial<FastifyResponseCacheOptions>,
    routes: (app: FastifyInstance) => void,
  ): Promise<{ app: FastifyInstance; url: string }> {
    const app = Fastify({ logger: false });
    await app.register(responseCache, { redis: target.client(), ttl: '1m', minUses: 1, ...options });
    routes(app);
    const server = await listenFastify(app);
    servers.push(server);
    return { app, url: server.url };
  }

  it('MISS then HIT with Age, same body and Content-Type; HEAD from the GET entry', async () => {
    const { url } = await serve({}, (app) => {
      app.get('/a', async () => ({ hello: ++calls }));
    });
    const first = await fetch(`${url}/a`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(await first.json()).toEqual({ hello: 1 });
    const second = await fetch(`${url}/a`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('age')).toMatch(/^\d+$/);
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await second.json()).toEqual({ hello: 1 });
    const head = await fetch(`${url}/a`, { method: 'HEAD' });
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(head.headers.get('content-length')).toBe(String(JSON.stringify({ hello: 1 }).length));
    expect(calls).toBe(1);
  });

  it('replays a streamed binary body byte for byte', async () => {
    const bytes = randomBytes(150_000);
    const { url } = await serve({}, (app) => {
      app.get('/bin', async (_request, reply) => {
        calls++;
        const chunks = Array.from({ length: 10 }, (_, i) => bytes.subarray(i * 15_000, (i + 1) * 15_000));
        return reply.type('image/png').send(Readable.from(chunks));
      });
    });
    const first = Buffer.from(await (await fetch(`${url}/bin`)).arrayBuffer());
    expect(first.equals(bytes)).toBe(true);
    await waitFor(
      async () => (await fetch(`${url}/bin`, { method: 'HEAD' })).headers.get('x-cache') === 'HIT',
    );
    const second = await fetch(`${url}/bin`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await second.arrayBuffer()).equals(bytes)).toBe(true);
    expect(calls).toBe(1);
  });

  it('stores large bodies gzip-compressed and serves each client per its Accept-Encoding', async () => {
    const { url } = await serve({}, (app) => {
      app.get('/text', async (_request, reply) => reply.type('text/plain').send(compressionBodies.text));
      app.get('/small', async (_request, reply) => reply.type('text/plain').send(compressionBodies.small));
      app.get('/binary', async (_request, reply) =>
        reply.type('application/octet-stream').send(compressionBodies.binary),
      );
      app.get('/encoded', async (_request, reply) =>
        reply.type('text/plain').header('content-encoding', 'gzip').send(compressionBodies.encoded),
      );
    });
    await checkCompression(url);
  });

  it.each(ruleChecks)('$name', async ({ options, run }) => {
    const origin = scriptedOrigin();
    const { url } = await serve({ ...checkOptions, ...options }, (app) => {
      app.get('/*', async (request, reply) => {
        const response = await scriptedResponse(origin, request.url, request.headers.authorization);
        if (response === 'fail') throw new Error('origin down');
        reply.code(response.status);
        for (const [name, value] of response.headers) reply.header(name, value);
        return reply.send(response.body);
      });
    });
    await run(url, origin);
  });

  it('security: Set-Cookie, Authorization, private and no-store are never stored', async () => {
    const { url } = await serve({}, (app) => {
      app.get('/cookie', async (_request, reply) => reply.header('set-cookie', `sid=${++calls}`).send('c'));
      app.get('/auth', async (request) => `for ${request.headers.authorization ?? 'anyone'}`);
      app.get('/private', async (_request, reply) =>
        reply.header('cache-control', 'private').send(`p${++calls}`),
      );
      app.get('/nostore', async (_request, reply) => reply.header('cache-control', 'no-store').send('n'));
    });
    await fetch(`${url}/cookie`);
    const cookie = await fetch(`${url}/cookie`);
    expect(cookie.headers.get('x-cache')).toBe('BYPASS');
    expect(cookie.headers.get('set-cookie')).toBe('sid=2');
    const auth = await fetch(`${url}/auth`, { headers: { authorization: 'Bearer alice' } });
    expect(auth.headers.get('x-cache')).toBe('BYPASS');
    const anonymous = await fetch(`${url}/auth`);
    expect(await anonymous.text()).toBe('for anyone');
    await fetch(`${url}/private`);
    const priv = await fetch(`${url}/private`);
    expect(priv.headers.get('x-cache')).toBe('BYPASS');
    expect(priv.headers.get('cache-control')).toBe('private');
    expect(await priv.text()).toBe('p4');
    await fetch(`${url}/nostore`);
    expect((await fetch(`${url}/nostore`)).headers.get('x-cache')).toBe('BYPASS');
  });

  it('security: with trusted hosts an unknown Host is never cached; 304 only for the entry ETag', async () => {
    const { url } = await serve({ trustedHosts: ['a.example'] }, (app) => {
      app.get('/h', async (request) => `host ${request.headers.host} ${++calls}`);
    });
    const evil = await rawGet(`${url}/h`, { host: 'evil.example' });
    expect(evil.headers['x-cache']).toBe('BYPASS');
    expect((await rawGet(`${url}/h`, { host: 'evil.example' })).headers['x-cache']).toBe('BYPASS');
    await rawGet(`${url}/h`, { host: 'a.example' });
    const hit = await rawGet(`${url}/h`, { host: 'a.example' });
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body).toBe('host a.example 3');
    const etag = String(hit.headers.etag);
    expect((await rawGet(`${url}/h`, { host: 'a.example', 'if-none-match': etag })).status).toBe(304);
    const wrong = await rawGet(`${url}/h`, { host: 'a.example', 'if-none-match': '"nope"' });
    expect(wrong.status).toBe(200);
  });

  it('stale-while-revalidate: serves STALE, refreshes once in the background, then HIT the new body', async () => {
    // 2 s fresh: long enough that, on a loaded machine, the refreshed entry is seen fresh (HIT)
    // before it goes stale again (each stale read would start another refresh).
    const { url } = await serve({ ttl: 2000, staleWhileRevalidate: '1m' }, (app) => {
      app.get('/swr', async () => `v${++calls}`);
    });
    await fetch(`${url}/swr`);
    await waitFor(
      async () => (await fetch(`${url}/swr`, { method: 'HEAD' })).headers.get('x-cache') === 'STALE',
      8_000,
    );
    await waitFor(async () => {
      const response = await fetch(`${url}/swr`);
      return response.headers.get('x-cache') === 'HIT' && (await response.text()) === 'v2';
    }, 8_000);
    expect(calls).toBe(2);
  });

  it('stale-while-revalidate without a socket: requests and the refresh both through inject', async () => {
    const app = Fastify({ logger: false });
    // 2 s fresh: long enough that, on a loaded machine, the refreshed entry is seen fresh (HIT)
    // before it goes stale again (each stale read would start another refresh).
    await app.register(responseCache, {
      redis: target.client(),
      ttl: 2000,
      staleWhileRevalidate: '1m',
      minUses: 1,
    });
    app.get('/inj', async () => `v${++calls}`);
    try {
      await app.inject('/inj');
      await waitFor(
        async () => (await app.inject({ method: 'HEAD', url: '/inj' })).headers['x-cache'] === 'STALE',
        8_000,
      );
      await waitFor(async () => {
        const response = await app.inject('/inj');
        return response.headers['x-cache'] === 'HIT' && response.body === 'v2';
      }, 8_000);
      expect(calls).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('stale-if-error: a failing handler is answered with the stored response', async () => {
    let fail = false;
    const { url } = await serve({ ttl: 1000, staleIfError: '1m' }, (app) => {
      app.get('/sie', async () => {
        calls++;
        if (fail) throw new Error('database down');
        return 'good';
      });
      app.get('/sie/503', async (_request, reply) =>
        fail ? reply.code(503).send('overloaded') : 'good 503',
      );
    });
    await fetch(`${url}/sie`);
    await fetch(`${url}/sie/503`);
    fail = true;
    for (const [path, body] of [
      ['/sie', 'good'],
      ['/sie/503', 'good 503'],
    ]) {
      await waitFor(
        async () => (await fetch(`${url}${path}`, { method: 'HEAD' })).headers.get('x-cache') !== 'HIT',
        5_000,
      );
      const stale = await fetch(`${url}${path}`);
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-cache')).toBe('STALE');
      expect(await stale.text()).toBe(body);
    }
    // Nothing stored, nothing stale: the error goes out as the handler sent it.
    const unstored = await fetch(`${url}/sie/503?other`);
    expect(unstored.status).toBe(503);
    expect(await unstored.text()).toBe('overloaded');
  });

  it('headers set before the cache hook are this request own: neither stored nor replayed', async () => {
    let counter = 0;
    const { url } = await serve({}, (app) => {
      app.addHook('onRequest', async (_request, reply) => {
        reply.header('x-per-request', String(++counter));
      });
      app.get('/a', async (_request, reply) => {
        reply.header('x-from-handler', 'kept');
        return `hello ${++calls}`;
      });
    });
    expect((await fetch(`${url}/a`)).headers.get('x-per-request')).toBe('1');
    const second = await fetch(`${url}/a`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('x-per-request')).toBe('2');
    expect(second.headers.get('x-from-handler')).toBe('kept');
    expect(await second.text()).toBe('hello 1');
  });

  it('Age: the origin Age is added; a response older than its max-age is never served', async () => {
    const { url } = await serve({}, (app) => {
      app.get('/young', async (_request, reply) => {
        reply.header('cache-control', 'max-age=3600').header('age', '100');
        return `young ${++calls}`;
      });
      app.get('/old', async (_request, reply) => {
        reply.header('cache-control', 'max-age=60').header('age', '120');
        return `old ${++calls}`;
      });
    });
    await fetch(`${url}/young`);
    const young = await fetch(`${url}/young`);
    expect(young.headers.get('x-cache')).toBe('HIT');
    expect(Number(young.headers.get('age'))).toBeGreaterThanOrEqual(100);
    await fetch(`${url}/old`);
    expect((await fetch(`${url}/old`)).headers.get('x-cache')).toBe('BYPASS');
  });

  it('per route: config.cache false never caches; route options override', async () => {
    const { url } = await serve({}, (app) => {
      app.get('/off', { config: { cache: false } }, async () => `off ${++calls}`);
      app.get('/tagged', { config: { cache: { tags: () => ['t'] } } }, async () => `tagged ${++calls}`);
    });
    await fetch(`${url}/off`);
    const off = await fetch(`${url}/off`);
    expect(off.headers.get('x-cache')).toBeNull();
    expect(await off.text()).toBe('off 2');
    await fetch(`${url}/tagged`);
    expect((await fetch(`${url}/tagged`)).headers.get('x-cache')).toBe('HIT');
  });

  it('invalidates by tag and path through app.responseCache', async () => {
    const { app, url } = await serve(
      { tags: (request) => [`q:${String((request.query as { id?: string }).id)}`] },
      (app) => {
        app.get('/i', async () => `i ${++calls}`);
      },
    );
    await fetch(`${url}/i?id=1`);
    await fetch(`${url}/i?id=2`);
    await app.responseCache.invalidate({ tags: ['q:1'] });
    expect((await fetch(`${url}/i?id=1`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${url}/i?id=2`)).headers.get('x-cache')).toBe('HIT');
    await app.responseCache.invalidate({ paths: ['/i'] });
    expect((await fetch(`${url}/i?id=2`)).headers.get('x-cache')).toBe('MISS');
  });

  it('coalesces concurrent misses: the handler runs once', async () => {
    const { app, url } = await serve({}, (app) => {
      app.get('/slow', async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 100));
        return 'slow';
      });
    });
    const responses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/slow`)));
    expect(calls).toBe(1);
    expect(responses.filter((response) => response.headers.get('x-cache') === 'MISS')).toHaveLength(1);
    expect(app.responseCache.stats()).toMatchObject({ misses: 1, hits: 19 });
    expect(await Promise.all(responses.map((response) => response.text()))).toEqual(Array(20).fill('slow'));
  });
});
