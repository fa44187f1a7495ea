import { type ListeningApp, listenExpress, listenFastify, useRedisTargets, waitFor } from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import { responseCache } from '../../src/express';
import cachePlugin from '../../src/fastify';
import type { ResponseCacheStats } from '../../src/http/response-cache';
import { rawGet } from '../helpers/raw-get';

const [target] = useRedisTargets(['ioredis']);

/** A server with an L1 response cache, and whether each response was complete when its lookup returned. */
interface L1App extends ListeningApp {
  /** One entry per request: true when the cache had answered it before returning (in the same turn). */
  readonly inTurn: boolean[];
  stats(): ResponseCacheStats;
}

type Handler = (headers: Record<string, string | string[] | undefined>) => {
  headers: Record<string, string>;
  body: string;
};

const big = 'the quick brown fox jumps over the lazy dog\n'.repeat(100);

async function listen(framework: 'express' | 'fastify', handler: Handler): Promise<L1App> {
  const options = { redis: target?.client(), ttl: '10m', l1: true, minUses: 1 } as const;
  const inTurn: boolean[] = [];
  if (framework === 'express') {
    const cache = responseCache(options);
    const app = express();
    app.use((req, res, next) => {
      cache(req, res, next);
      inTurn.push(res.writableEnded);
    });
    app.get('/{*path}', (req, res) => {
      const answer = handler(req.headers);
      res.set(answer.headers).send(answer.body);
    });
    const server = await listenExpress(app);
    return {
      ...server,
      inTurn,
      stats: () => cache.stats(),
      close: () => server.close().finally(() => cache.close()),
    };
  }
  const app = Fastify({ logger: false });
  // Calling done() runs the route's hooks, the cache's lookup among them, before it returns.
  app.addHook('onRequest', (_request, reply, done) => {
    done();
    inTurn.push(reply.raw.writableEnded);
  });
  await app.register(cachePlugin, options);
  app.get('/*', async (request, reply) => {
    const answer = handler(request.headers);
    return reply.headers(answer.headers).send(answer.body);
  });
  const server = await listenFastify(app);
  return { ...server, inTurn, stats: () => app.responseCache.stats() };
}

describe.each(['express', 'fastify'] as const)(
  '%s: hits from L1 are answered in the same turn',
  (framework) => {
    let server: L1App;
    let calls: number;
    beforeEach(async () => {
      await target?.flush();
      calls = 0;
      server = await listen(framework, (headers) => {
        calls++;
        if (headers['x-route'] === 'big') return { headers: { 'content-type': 'text/plain' }, body: big };
        const lang = String(headers['accept-language'] ?? 'none');
        return {
          headers: { 'cache-control': 'max-age=600', vary: 'Accept-Language', etag: `"v-${lang}"` },
          body: `lang ${lang} ${calls}`,
        };
      });
      // Until the invalidation bus is verified, L1 serves nothing: wait until an entry survives
      // Redis being emptied, which only L1 can answer.
      await waitFor(async () => {
        await stored('/probe');
        await target?.flush();
        return (await get('/probe')).headers['x-cache'] === 'HIT';
      });
    });
    afterEach(() => server.close());

    const get = (path: string, headers: Record<string, string> = {}) =>
      rawGet(`${server.url}${path}`, headers);
    /** The response is written after it is sent: wait until it is stored (a HIT). */
    const stored = (path: string, headers: Record<string, string> = {}) =>
      waitFor(async () => (await get(path, headers)).headers['x-cache'] === 'HIT');
    const lastInTurn = () => server.inTurn[server.inTurn.length - 1];

    it('serves variants, 304 and ranges from memory alone, each counted once as a hit', async () => {
      expect((await get('/v', { 'accept-language': 'en' })).headers['x-cache']).toBe('MISS');
      expect((await get('/v', { 'accept-language': 'fr' })).headers['x-cache']).toBe('MISS');
      await stored('/v', { 'accept-language': 'en' });
      await stored('/v', { 'accept-language': 'fr' });
      await target?.flush();
      const before = server.stats();
      const handled = calls;

      const en = await get('/v', { 'accept-language': 'en' });
      expect(lastInTurn()).toBe(true);
      expect(en.status).toBe(200);
      expect(en.body).toMatch(/^lang en \d+$/);
      expect(en.headers['x-cache']).toBe('HIT');
      expect(en.headers.etag).toBe('"v-en"');
      expect(en.headers.age).toMatch(/^\d+$/);
      expect(en.headers['content-length']).toBe(String(en.bytes.length));
      const fr = await get('/v', { 'accept-language': 'fr' });
      expect(lastInTurn()).toBe(true);
      expect(fr.body).toMatch(/^lang fr \d+$/);

      const notModified = await get('/v', { 'accept-language': 'en', 'if-none-match': '"v-en"' });
      expect(lastInTurn()).toBe(true);
      expect(notModified.status).toBe(304);
      expect(notModified.bytes.length).toBe(0);
      const part = await get('/v', { 'accept-language': 'en', range: 'bytes=0-3' });
      expect(lastInTurn()).toBe(true);
      expect(part.status).toBe(206);
      expect(part.body).toBe('lang');

      expect(server.stats().hits - before.hits).toBe(4);
      expect(calls).toBe(handled);
    });

    it.each([
      ['stored as sent', '/plain', { 'accept-language': 'en' }],
      ['stored gzip, to a client that takes gzip', '/big', { 'x-route': 'big', 'accept-encoding': 'gzip' }],
    ])(
      'a plain hit (%s) has the headers of a hit with a validator that does not match, and its own Age',
      async (_, path, request) => {
        await stored(path, request);
        await target?.flush();
        // The headers of a hit with neither validators nor Range are built once per entry and
        // copied; with a validator that does not match, they are built for the request.
        const plain = await get(path, request);
        const checked = await get(path, { ...request, 'if-none-match': '"other"' });
        expect(plain.status).toBe(200);
        expect(checked.status).toBe(200);
        const { age: plainAge, ...plainHeaders } = plain.headers;
        const { age: checkedAge, ...checkedHeaders } = checked.headers;
        expect(plainHeaders).toEqual(checkedHeaders);
        expect(plain.bytes).toEqual(checked.bytes);
        // The copy gets each hit's own Age, not the Age of the hit that built it.
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const later = await get(path, request);
        expect(lastInTurn()).toBe(true);
        expect(Number(later.headers.age)).toBeGreaterThanOrEqual(Number(plainAge) + 1);
        expect(Number(checkedAge)).toBeGreaterThanOrEqual(Number(plainAge));
      },
    );

    it('a body stored gzip goes to a client without gzip decompressed: once per entry off the event loop, then from memory', async () => {
      const route = { 'x-route': 'big' };
      expect((await get('/big', { ...route, 'accept-encoding': 'gzip' })).headers['x-cache']).toBe('MISS');
      await stored('/big', { ...route, 'accept-encoding': 'gzip' });
      await target?.flush();
      const before = server.stats();
      const gzipped = await get('/big', { ...route, 'accept-encoding': 'gzip' });
      expect(lastInTurn()).toBe(true);
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      // The first client without gzip waits for zlib, through the async path.
      const first = await get('/big', route);
      expect(lastInTurn()).toBe(false);
      expect(first.headers['x-cache']).toBe('HIT');
      expect(first.headers['content-encoding']).toBeUndefined();
      expect(first.body).toBe(big);
      // The entry keeps the decompressed bytes: later such clients are answered in the same turn.
      await waitFor(async () => {
        await get('/big', route);
        return lastInTurn() === true;
      });
      const later = await get('/big', route);
      expect(lastInTurn()).toBe(true);
      expect(later.body).toBe(big);
      const { age: firstAge, ...firstHeaders } = first.headers;
      const { age: laterAge, ...laterHeaders } = later.headers;
      expect(laterHeaders).toEqual(firstHeaders);
      expect(laterHeaders.vary).toMatch(/accept-encoding/i);
      expect(laterHeaders['content-length']).toBe(String(later.bytes.length));
      // A conditional request for that representation is answered from memory too.
      const notModified = await get('/big', { ...route, 'if-none-match': String(first.headers.etag) });
      expect(lastInTurn()).toBe(true);
      expect(notModified.status).toBe(304);
      expect(server.stats().hits - before.hits).toBeGreaterThanOrEqual(5);
      expect(server.stats().misses).toBe(before.misses);
    });
  },
);
