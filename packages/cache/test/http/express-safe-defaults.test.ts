import { setTimeout as sleep } from 'node:timers/promises';
import { rateLimit } from '@rediware/rate-limit/express';
import {
  allKeys,
  listenExpress,
  type RedisTarget,
  useCleanup,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import express, { type Express, type RequestHandler } from 'express';
import {
  type ExpressResponseCache,
  type ExpressResponseCacheOptions,
  responseCache,
} from '../../src/express';
import { rawGet } from '../helpers/raw-get';
import { getFrom, sendWithBody } from '../helpers/request-body';

const targets = useRedisTargets(['node-redis']);

describe.each(targets)(
  'express response cache, safe with default options, on $name',
  (target: RedisTarget) => {
    const defer = useCleanup();
    beforeEach(() => target.flush());

    function cacheOf(options: Partial<ExpressResponseCacheOptions> = {}): ExpressResponseCache {
      // minUses 1: every storable response is stored at once (the admission rule is tested apart).
      const cache = responseCache({ redis: target.client(), ttl: '1m', minUses: 1, ...options });
      defer(() => cache.close());
      return cache;
    }

    async function listen(app: Express): Promise<string> {
      const listening = await listenExpress(app);
      defer(() => listening.close());
      return listening.url;
    }

    /** The absolute link a handler builds from what Express resolved (Express 4 and 5 alike). */
    const link: RequestHandler = (req, res) => {
      res.send(`${req.protocol}://${req.hostname}/next`);
    };

    it('keys on the Host by default: a request for another Host never serves or poisons the real one', async () => {
      const app = express();
      app.use(cacheOf());
      app.get('/p', (req, res) => {
        res.send(`http://${req.headers.host}/next`);
      });
      const url = await listen(app);
      const evil = await rawGet(`${url}/p`, { host: 'evil.example' });
      expect(evil.body).toBe('http://evil.example/next');
      const real = await rawGet(`${url}/p`, { host: 'real.example' });
      expect(real.headers['x-cache']).toBe('MISS');
      expect(real.body).toBe('http://real.example/next');
      const again = await rawGet(`${url}/p`, { host: 'Real.Example:80' });
      expect(again.headers['x-cache']).toBe('HIT');
      expect(again.body).toBe('http://real.example/next');
      expect((await rawGet(`${url}/p`, { host: 'real.example:8080' })).headers['x-cache']).toBe('MISS');
    });

    it('behind a trusted proxy: X-Forwarded-Host and X-Forwarded-Proto are in the key', async () => {
      const app = express();
      app.set('trust proxy', 'loopback');
      app.use(cacheOf());
      app.get('/p', link);
      const url = await listen(app);
      const host = { host: 'real.example' };
      const forged = await rawGet(`${url}/p`, { ...host, 'x-forwarded-host': 'evil.example' });
      expect(forged.body).toBe('http://evil.example/next');
      const https = await rawGet(`${url}/p`, { ...host, 'x-forwarded-proto': 'https' });
      expect(https.headers['x-cache']).toBe('MISS');
      expect(https.body).toBe('https://real.example/next');
      const plain = await rawGet(`${url}/p`, host);
      expect(plain.headers['x-cache']).toBe('MISS');
      expect(plain.body).toBe('http://real.example/next');
      for (const [headers, body] of [
        [host, 'http://real.example/next'],
        [{ ...host, 'x-forwarded-proto': 'https' }, 'https://real.example/next'],
        [{ ...host, 'x-forwarded-host': 'evil.example' }, 'http://evil.example/next'],
      ] as const) {
        const hit = await rawGet(`${url}/p`, headers);
        expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', body]);
      }
    });

    it('without trust proxy, forwarded headers are ignored by Express and by the key alike', async () => {
      const app = express();
      app.use(cacheOf());
      app.get('/p', link);
      const url = await listen(app);
      await rawGet(`${url}/p`, { host: 'real.example' });
      const forged = await rawGet(`${url}/p`, {
        host: 'real.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      });
      expect([forged.headers['x-cache'], forged.body]).toEqual(['HIT', 'http://real.example/next']);
    });

    it('trustedHosts checks the host Express resolved: a forwarded unknown host bypasses', async () => {
      const app = express();
      app.set('trust proxy', true);
      app.use(cacheOf({ trustedHosts: ['real.example'] }));
      app.get('/p', link);
      const url = await listen(app);
      const forged = { host: 'real.example', 'x-forwarded-host': 'evil.example' };
      expect((await rawGet(`${url}/p`, forged)).headers['x-cache']).toBe('BYPASS');
      expect((await rawGet(`${url}/p`, forged)).headers['x-cache']).toBe('BYPASS');
      await rawGet(`${url}/p`, { host: 'internal:3000', 'x-forwarded-host': 'real.example' });
      const hit = await rawGet(`${url}/p`, { host: 'real.example' });
      expect([hit.headers['x-cache'], hit.body]).toEqual(['HIT', 'http://real.example/next']);
    });

    it('a long, odd Host is hashed into the key: keys stay short and under the prefix', async () => {
      const app = express();
      app.use(cacheOf({ prefix: 'safe:' }));
      app.get('/p', link);
      const url = await listen(app);
      const host = `a{b}*?[c]\\${'x'.repeat(4000)}`;
      await rawGet(`${url}/p`, { host });
      expect((await rawGet(`${url}/p`, { host })).headers['x-cache']).toBe('HIT');
      const keys = await allKeys(target.masters()[0] as never);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key.startsWith('safe:')).toBe(true);
        expect(key.length).toBeLessThan(120);
      }
    });

    it('invalidate({ paths }) and an unsafe request reach the entries of every host and protocol', async () => {
      const app = express();
      app.set('trust proxy', 'loopback');
      const cache = cacheOf();
      app.use(cache);
      app.get('/p', link);
      app.post('/p', (_req, res) => {
        res.send('changed');
      });
      const url = await listen(app);
      const variants = [
        { host: 'a.example' },
        { host: 'b.example' },
        { host: 'a.example', 'x-forwarded-proto': 'https' },
      ];
      const all = async () =>
        Promise.all(variants.map(async (h) => (await rawGet(`${url}/p`, h)).headers['x-cache']));
      // Express stores a response once it has gone out: the next request may come first.
      const stored = () => waitFor(async () => (await all()).every((xCache) => xCache === 'HIT'));
      await all();
      await stored();
      await cache.invalidate({ paths: ['/p'] });
      expect(await all()).toEqual(['MISS', 'MISS', 'MISS']);
      await stored();
      await rawGet(`${url}/p`, { host: 'b.example' }, 'POST');
      expect(await all()).toEqual(['MISS', 'MISS', 'MISS']);
    });

    it('a GET with a body bypasses the cache: its answer is neither stored nor served from the body-less entry', async () => {
      const app = express();
      app.use(cacheOf());
      app.use(express.text({ type: '*/*' }));
      app.get('/f', (req, res) => {
        res.send(`body:${typeof req.body === 'string' ? req.body : ''}`);
      });
      const url = await listen(app);
      const fat = await sendWithBody(`${url}/f`, { body: 'one' });
      expect([fat.headers['x-cache'], fat.body]).toEqual(['BYPASS', 'body:one']);
      const plain = await rawGet(`${url}/f`);
      expect([plain.headers['x-cache'], plain.body]).toEqual(['MISS', 'body:']);
      expect((await rawGet(`${url}/f`)).headers['x-cache']).toBe('HIT');
      const fatAgain = await sendWithBody(`${url}/f`, { body: 'two' });
      expect([fatAgain.headers['x-cache'], fatAgain.body]).toEqual(['BYPASS', 'body:two']);
      const chunked = await sendWithBody(`${url}/f`, { body: 'three', chunked: true });
      expect([chunked.headers['x-cache'], chunked.body]).toEqual(['BYPASS', 'body:three']);
      const head = await sendWithBody(`${url}/f`, { method: 'HEAD', body: 'four' });
      expect(head.headers['x-cache']).toBe('BYPASS');
      expect((await sendWithBody(`${url}/f`, { body: '' })).headers['x-cache']).toBe('HIT');
      expect((await rawGet(`${url}/f`)).body).toBe('body:');
    });

    it('rate limiter mounted before the cache (README order): hits are counted, the limit applies, headers are per request', async () => {
      const app = express();
      app.use(rateLimit({ redis: target.client(), limit: 2, window: '1m' }));
      app.use(cacheOf());
      app.get('/r', link);
      const url = await listen(app);
      const first = await rawGet(`${url}/r`);
      expect(first.headers['x-cache']).toBe('MISS');
      const second = await rawGet(`${url}/r`);
      expect(second.headers['x-cache']).toBe('HIT');
      expect(second.headers.ratelimit).not.toBe(first.headers.ratelimit);
      expect(second.headers.ratelimit).toMatch(/r=0/);
      expect((await rawGet(`${url}/r`)).status).toBe(429);
    });

    it.each(['draft-8', 'draft-7', 'draft-6', 'legacy'] as const)(
      'a rate limiter mounted after the cache: its %s headers are never stored nor replayed',
      async (headers) => {
        const app = express();
        app.use(cacheOf());
        app.use(rateLimit({ redis: target.client(), limit: 100, window: '1m', headers }));
        app.get('/r', link);
        const url = await listen(app);
        const first = await rawGet(`${url}/r`);
        expect(first.headers['x-cache']).toBe('MISS');
        expect(Object.keys(first.headers).some((name) => name.includes('ratelimit'))).toBe(true);
        const hit = await rawGet(`${url}/r`);
        expect(hit.headers['x-cache']).toBe('HIT');
        expect(Object.keys(hit.headers).filter((name) => name.includes('ratelimit'))).toEqual([]);
      },
    );

    it('a stale-while-revalidate refresh that resolves another scheme or host is not stored', async () => {
      const app = express();
      // The proxy is 127.0.0.2: the background refresh, over loopback from 127.0.0.1, is not trusted.
      app.set('trust proxy', '127.0.0.2');
      app.use(cacheOf({ ttl: 1000, staleWhileRevalidate: '1m' }));
      let calls = 0;
      app.get('/s', (req, res) => {
        res.send(`${req.protocol}://${req.hostname} ${++calls}`);
      });
      const url = await listen(app);
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
      expect((await viaProxy()).body).toBe('https://real.example 1');
    });
  },
);
