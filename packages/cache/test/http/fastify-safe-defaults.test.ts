import { setTimeout as sleep } from 'node:timers/promises';
import lockPlugin from '@rediware/lock/fastify';
import rateLimitPlugin from '@rediware/rate-limit/fastify';
import { listenFastify, type RedisTarget, useCleanup, useRedisTargets, waitFor } from '@rediware/testing';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import responseCache, { type FastifyResponseCacheOptions } from '../../src/fastify';
import { getFrom, sendWithBody } from '../helpers/request-body';

const targets = useRedisTargets(['node-redis']);

describe.each(targets)(
  'fastify response cache, safe with default options, on $name',
  (target: RedisTarget) => {
    const defer = useCleanup();
    beforeEach(() => target.flush());

    /** minUses 1: every storable response is stored at once (the admission rule is tested apart). */
    const cacheOptions = (
      options: Partial<FastifyResponseCacheOptions> = {},
    ): FastifyResponseCacheOptions => ({
      redis: target.client(),
      ttl: '1m',
      minUses: 1,
      ...options,
    });

    async function appOf(
      options: Partial<FastifyResponseCacheOptions> = {},
      server: FastifyServerOptions = {},
    ): Promise<FastifyInstance> {
      const app = Fastify({ logger: false, ...server });
      defer(() => app.close());
      await app.register(responseCache, cacheOptions(options));
      app.get('/p', async (request) => `${request.protocol}://${request.host}/next`);
      return app;
    }

    const get = async (app: FastifyInstance, headers: Record<string, string>, url = '/p') => {
      const response = await app.inject({ url, headers });
      return [response.headers['x-cache'], response.body];
    };

    it('keys on the Host by default: a request for another Host never serves or poisons the real one', async () => {
      const app = await appOf();
      expect(await get(app, { host: 'evil.example' })).toEqual(['MISS', 'http://evil.example/next']);
      expect(await get(app, { host: 'real.example' })).toEqual(['MISS', 'http://real.example/next']);
      expect(await get(app, { host: 'Real.Example:80' })).toEqual(['HIT', 'http://real.example/next']);
      expect(await get(app, { host: 'real.example:8080' })).toEqual([
        'MISS',
        'http://real.example:8080/next',
      ]);
    });

    it('behind a trusted proxy: X-Forwarded-Host and X-Forwarded-Proto are in the key', async () => {
      const app = await appOf({}, { trustProxy: true });
      const host = { host: 'real.example' };
      const forged = { ...host, 'x-forwarded-host': 'evil.example' };
      const https = { ...host, 'x-forwarded-proto': 'https' };
      expect(await get(app, forged)).toEqual(['MISS', 'http://evil.example/next']);
      expect(await get(app, https)).toEqual(['MISS', 'https://real.example/next']);
      expect(await get(app, host)).toEqual(['MISS', 'http://real.example/next']);
      expect(await get(app, host)).toEqual(['HIT', 'http://real.example/next']);
      expect(await get(app, https)).toEqual(['HIT', 'https://real.example/next']);
      expect(await get(app, forged)).toEqual(['HIT', 'http://evil.example/next']);
    });

    it('without trustProxy, forwarded headers are ignored by Fastify and by the key alike', async () => {
      const app = await appOf();
      await get(app, { host: 'real.example' });
      const forged = {
        host: 'real.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      };
      expect(await get(app, forged)).toEqual(['HIT', 'http://real.example/next']);
    });

    it('trustedHosts checks the host Fastify resolved: a forwarded unknown host bypasses', async () => {
      const app = await appOf({ trustedHosts: ['real.example'] }, { trustProxy: true });
      const forged = { host: 'real.example', 'x-forwarded-host': 'evil.example' };
      expect((await get(app, forged))[0]).toBe('BYPASS');
      expect((await get(app, forged))[0]).toBe('BYPASS');
      await get(app, { host: 'internal:3000', 'x-forwarded-host': 'real.example' });
      expect(await get(app, { host: 'real.example' })).toEqual(['HIT', 'http://real.example/next']);
    });

    it('invalidate({ paths }) and an unsafe request reach the entries of every host and protocol', async () => {
      const app = await appOf({}, { trustProxy: true });
      app.post('/p', async () => 'changed');
      const variants = [
        { host: 'a.example' },
        { host: 'b.example' },
        { host: 'a.example', 'x-forwarded-proto': 'https' },
      ];
      const all = async () => Promise.all(variants.map(async (headers) => (await get(app, headers))[0]));
      await all();
      expect(await all()).toEqual(['HIT', 'HIT', 'HIT']);
      await app.responseCache.invalidate({ paths: ['/p'] });
      expect(await all()).toEqual(['MISS', 'MISS', 'MISS']);
      expect(await all()).toEqual(['HIT', 'HIT', 'HIT']);
      await app.inject({ method: 'POST', url: '/p', headers: { host: 'b.example' } });
      expect(await all()).toEqual(['MISS', 'MISS', 'MISS']);
    });

    it('a GET with a body bypasses the cache: its answer is neither stored nor served from the body-less entry', async () => {
      const app = Fastify({ logger: false });
      defer(() => app.close());
      await app.register(responseCache, cacheOptions());
      let calls = 0;
      app.get(
        '/f',
        async (request) => `body:${typeof request.body === 'string' ? request.body : ''} ${++calls}`,
      );
      const { url } = await listenFastify(app);
      const fat = await sendWithBody(`${url}/f`, { body: 'one' });
      expect(fat.headers['x-cache']).toBe('BYPASS');
      expect((await sendWithBody(`${url}/f`, { body: 'one' })).headers['x-cache']).toBe('BYPASS');
      expect(calls).toBe(2);
      const plain = await fetch(`${url}/f`);
      expect([plain.headers.get('x-cache'), await plain.text()]).toEqual(['MISS', 'body: 3']);
      expect((await fetch(`${url}/f`)).headers.get('x-cache')).toBe('HIT');
      const fatAgain = await sendWithBody(`${url}/f`, { body: 'two' });
      expect(fatAgain.headers['x-cache']).toBe('BYPASS');
      expect(fatAgain.body).toMatch(/ 4$/);
      const chunked = await sendWithBody(`${url}/f`, { body: 'three', chunked: true });
      expect(chunked.headers['x-cache']).toBe('BYPASS');
      expect(chunked.body).toMatch(/ 5$/);
      expect((await fetch(`${url}/f`)).headers.get('x-cache')).toBe('HIT');
      expect(calls).toBe(5);
    });

    const orders = ['the limiter first (README order)', 'the cache first'] as const;

    it.each(orders)(
      'rate limit + cache, %s: hits are counted and limited, headers per request',
      async (order) => {
        const app = Fastify({ logger: false });
        defer(() => app.close());
        const limiter = () =>
          app.register(rateLimitPlugin, { redis: target.client(), limit: 2, window: '1m' });
        const cache = () => app.register(responseCache, cacheOptions());
        if (order === orders[0]) {
          await limiter();
          await cache();
        } else {
          await cache();
          await limiter();
        }
        app.get('/r', async () => 'r');
        const first = await app.inject('/r');
        expect(first.headers['x-cache']).toBe('MISS');
        expect(first.headers.ratelimit).toMatch(/r=1/);
        const second = await app.inject('/r');
        expect(second.headers['x-cache']).toBe('HIT');
        expect(second.headers.ratelimit).toMatch(/r=0/);
        const third = await app.inject('/r');
        expect(third.statusCode).toBe(429);
        expect(third.headers['x-cache']).toBeUndefined();
      },
    );

    it.each(orders)(
      'rate limit (legacy headers) + cache, %s: no X-RateLimit-* value is replayed',
      async (order) => {
        const app = Fastify({ logger: false });
        defer(() => app.close());
        const options = { redis: target.client(), limit: 10, window: '1m', headers: 'legacy' } as const;
        const limiter = () => app.register(rateLimitPlugin, options);
        const cache = () => app.register(responseCache, cacheOptions());
        if (order === orders[0]) {
          await limiter();
          await cache();
        } else {
          await cache();
          await limiter();
        }
        app.get('/r', async () => 'r');
        await app.inject('/r');
        for (const remaining of ['8', '7']) {
          const hit = await app.inject('/r');
          expect(hit.headers['x-cache']).toBe('HIT');
          expect(hit.headers['x-ratelimit-remaining']).toBe(remaining);
        }
      },
    );

    it.each(['the lock guard first', 'the cache first'] as const)(
      'lock guard + cache, %s: a hit waits for the guard, a busy resource is refused',
      async (order) => {
        const app = Fastify({ logger: false });
        defer(() => app.close());
        const lock = () => app.register(lockPlugin, { redis: target.client() });
        const cache = () => app.register(responseCache, cacheOptions());
        if (order === 'the lock guard first') {
          await lock();
          await cache();
        } else {
          await cache();
          await lock();
        }
        app.get('/l', { config: { lock: { key: () => 'resource', ttl: '5s' } } }, async () => 'l');
        expect((await app.inject('/l')).headers['x-cache']).toBe('MISS');
        expect((await app.inject('/l')).headers['x-cache']).toBe('HIT');
        const held = await app.locker.acquire('resource', { ttl: '5s' });
        const busy = await app.inject('/l');
        expect(busy.statusCode).toBe(409);
        expect(busy.headers['x-cache']).toBeUndefined();
        await held.release();
        expect((await app.inject('/l')).headers['x-cache']).toBe('HIT');
      },
    );

    it("a route's own preHandler (an auth check) runs before a hit is served", async () => {
      const app = Fastify({ logger: false });
      defer(() => app.close());
      await app.register(responseCache, cacheOptions());
      app.get(
        '/a',
        {
          preHandler: (request, reply, done) => {
            if (request.headers['x-token'] === 'ok') done();
            else void reply.code(403).send('forbidden');
          },
        },
        async () => 'secret',
      );
      expect((await app.inject({ url: '/a', headers: { 'x-token': 'ok' } })).headers['x-cache']).toBe('MISS');
      expect((await app.inject({ url: '/a', headers: { 'x-token': 'ok' } })).headers['x-cache']).toBe('HIT');
      const denied = await app.inject('/a');
      expect([denied.statusCode, denied.body]).toEqual([403, 'forbidden']);
    });

    it('handlers of every style still answer through the cache (async, callback, returned value)', async () => {
      const app = Fastify({ logger: false });
      defer(() => app.close());
      await app.register(responseCache, cacheOptions());
      app.get('/async', async () => ({ style: 'async' }));
      app.get('/callback', (_request, reply) => {
        setTimeout(() => void reply.send({ style: 'callback' }), 10);
      });
      app.get('/sync', (_request, reply) => reply.send({ style: 'sync' }));
      app.get('/throws', async () => {
        throw new Error('boom');
      });
      for (const style of ['async', 'callback', 'sync']) {
        for (const xCache of ['MISS', 'HIT']) {
          const response = await app.inject(`/${style}`);
          expect([response.headers['x-cache'], response.json()]).toEqual([xCache, { style }]);
        }
      }
      expect((await app.inject('/throws')).statusCode).toBe(500);
    });

    it('a stale-while-revalidate refresh resolves the scheme and host the request did', async () => {
      // The proxy is 127.0.0.2: the refresh is injected as if from it, so trustProxy trusts it too.
      const app = Fastify({ logger: false, trustProxy: '127.0.0.2' });
      defer(() => app.close());
      await app.register(responseCache, cacheOptions({ ttl: 1000, staleWhileRevalidate: '1m' }));
      let calls = 0;
      app.get('/s', async (request) => `${request.protocol}://${request.host} ${++calls}`);
      const { url } = await listenFastify(app);
      const viaProxy = () =>
        getFrom('127.0.0.2', `${url}/s`, {
          host: 'internal',
          'x-forwarded-host': 'real.example',
          'x-forwarded-proto': 'https',
        });
      expect((await viaProxy()).body).toBe('https://real.example 1');
      await sleep(1100);
      expect((await viaProxy()).headers['x-cache']).toBe('STALE');
      await waitFor(() => calls === 2);
      await sleep(200);
      expect((await viaProxy()).body).toMatch(/^https:\/\/real\.example \d$/);
    });
  },
);
