import type { IncomingHttpHeaders } from 'node:http';
import { type ListeningApp, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { type Framework, frameworks, listenWith, type NeutralResponse } from '../helpers/neutral-apps';
import { rawGet } from '../helpers/raw-get';

// RFC 9111 §4.3: a stale stored response with a validator is revalidated with the handler, which
// sees If-None-Match / If-Modified-Since; its 304 freshens the stored headers (§3.2, §4.3.4) and
// the client gets the stored response in full. The same checks through Express and Fastify.
const targets = useRedisTargets(['memory', 'ioredis']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Past a max-age=1 response's freshness. */
const untilStale = () => sleep(1100);

describe.each(targets)('revalidation on $name', (target: RedisTarget) => {
  describe.each(frameworks)('%s', (framework: Framework) => {
    const apps: ListeningApp[] = [];
    /** The request headers the handler saw, per call. */
    let seen: IncomingHttpHeaders[];
    /** What the handler answers, per call (the last one repeats). */
    let answers: NeutralResponse[];
    beforeEach(async () => {
      await target.flush();
      seen = [];
      answers = [];
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    async function serve(options: { keepForRevalidation?: number } = {}): Promise<string> {
      const app = await listenWith(
        framework,
        { redis: target.client(), ttl: 0, minUses: 1, ...options },
        ({ method, headers }) => {
          if (method !== 'GET') return { status: 204 };
          seen.push({ ...headers });
          return answers[Math.min(seen.length, answers.length) - 1] ?? { status: 500 };
        },
      );
      apps.push(app);
      return app.url;
    }

    const first: NeutralResponse = {
      headers: { 'cache-control': 'max-age=1', etag: '"v1"', 'x-test': 'a', 'content-type': 'text/plain' },
      body: 'stored body',
    };

    it('a 304 to If-None-Match freshens the stored headers; the client gets the stored body', async () => {
      answers = [
        first,
        {
          status: 304,
          headers: {
            'cache-control': 'max-age=60',
            etag: '"v1"',
            'x-test': 'b',
            'content-type': 'text/html',
          },
        },
      ];
      const url = await serve();
      expect((await rawGet(`${url}/r`)).body).toBe('stored body');
      await untilStale();
      const revalidated = await rawGet(`${url}/r`);
      expect(seen[1]?.['if-none-match']).toBe('"v1"');
      expect(revalidated.status).toBe(200);
      expect(revalidated.body).toBe('stored body');
      expect(revalidated.headers['x-test']).toBe('b');
      expect(revalidated.headers['content-type']).toBe('text/html');
      expect(revalidated.headers['cache-control']).toBe('max-age=60');
      // Fresh again for 60 s: served without the handler, with the updated headers.
      const hit = await rawGet(`${url}/r`);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.body).toBe('stored body');
      expect(hit.headers['x-test']).toBe('b');
      expect(seen).toHaveLength(2);
    });

    it('a 304 does not change the stored ETag, Content-Encoding, Content-Range, Content-MD5', async () => {
      const kept = { 'content-encoding': 'x-mine', 'content-range': 'bytes 0-1/2', 'content-md5': 'a' };
      answers = [
        { ...first, headers: { ...first.headers, ...kept } },
        {
          status: 304,
          headers: {
            'cache-control': 'max-age=60',
            etag: '"v2"',
            'content-encoding': 'x-other',
            'content-md5': 'b',
          },
        },
      ];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      await rawGet(`${url}/r`);
      const hit = await rawGet(`${url}/r`);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers.etag).toBe('"v1"');
      expect(hit.headers['content-encoding']).toBe('x-mine');
      expect(hit.headers['content-range']).toBe('bytes 0-1/2');
      expect(hit.headers['content-md5']).toBe('a');
    });

    it('a Set-Cookie on the 304 goes to that client only, never into the stored response', async () => {
      answers = [
        first,
        { status: 304, headers: { 'cache-control': 'max-age=60', 'set-cookie': 'session=1' } },
      ];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      const revalidated = await rawGet(`${url}/r`);
      expect(revalidated.body).toBe('stored body');
      expect(revalidated.headers['set-cookie']).toEqual(['session=1']);
      // The freshened entry is stored without it: the next client gets a hit, and no cookie.
      const next = await rawGet(`${url}/r`);
      expect(next.headers['x-cache']).toBe('HIT');
      expect(next.headers['set-cookie']).toBeUndefined();
    });

    it('Last-Modified alone: the handler sees If-Modified-Since', async () => {
      const lastModified = 'Wed, 01 Jan 2020 00:00:00 GMT';
      answers = [
        { headers: { 'cache-control': 'max-age=1', 'last-modified': lastModified }, body: 'lm body' },
        { status: 304, headers: { 'x-test': 'fresh' } },
      ];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      const revalidated = await rawGet(`${url}/r`);
      expect(seen[1]?.['if-modified-since']).toBe(lastModified);
      expect(seen[1]?.['if-none-match']).toBeUndefined();
      expect(revalidated.body).toBe('lm body');
      expect(revalidated.headers['x-test']).toBe('fresh');
    });

    it('a 200 to the revalidation replaces the stored response', async () => {
      answers = [first, { headers: { 'cache-control': 'max-age=60', etag: '"v2"' }, body: 'new body' }];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      expect((await rawGet(`${url}/r`)).body).toBe('new body');
      const hit = await rawGet(`${url}/r`);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.body).toBe('new body');
      expect(hit.headers.etag).toBe('"v2"');
    });

    it('a client conditional of its own is the handler question: its 304 goes to the client as is', async () => {
      answers = [first, { status: 304, headers: { etag: '"v1"' } }];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      const answer = await rawGet(`${url}/r`, { 'if-none-match': '"mine"' });
      expect(seen[1]?.['if-none-match']).toBe('"mine"');
      expect(answer.status).toBe(304);
    });

    it('no validator of the handler (the ETag is made up by the cache), or keepForRevalidation 0: no conditional', async () => {
      answers = [{ headers: { 'cache-control': 'max-age=1' }, body: 'x' }];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      await rawGet(`${url}/r`);
      expect(seen[1]?.['if-none-match']).toBeUndefined();
      answers = [first];
      seen = [];
      const unkept = await serve({ keepForRevalidation: 0 });
      await rawGet(`${unkept}/unkept`);
      await untilStale();
      await rawGet(`${unkept}/unkept`);
      expect(seen).toHaveLength(2);
      expect(seen[1]?.['if-none-match']).toBeUndefined();
    });

    it('Cache-Control no-cache: stored, and revalidated on every use, even with max-age', async () => {
      answers = [
        { headers: { 'cache-control': 'max-age=600, no-cache', etag: '"nc"' }, body: 'no-cache body' },
        { status: 304, headers: { 'cache-control': 'max-age=600, no-cache', etag: '"nc"' } },
      ];
      const url = await serve();
      await rawGet(`${url}/r`);
      for (let i = 1; i <= 2; i++) {
        const again = await rawGet(`${url}/r`);
        expect(seen[i]?.['if-none-match']).toBe('"nc"');
        expect(again.status).toBe(200);
        expect(again.body).toBe('no-cache body');
      }
    });

    it('an unsafe request invalidates a kept entry: the next GET is not conditional', async () => {
      answers = [first];
      const url = await serve();
      await rawGet(`${url}/r`);
      await untilStale();
      await rawGet(`${url}/r`, {}, 'POST');
      await rawGet(`${url}/r`);
      expect(seen).toHaveLength(2);
      expect(seen[1]?.['if-none-match']).toBeUndefined();
    });

    it('keeps the handler Date on a hit; answers If-Modified-Since from the Date when there is no Last-Modified', async () => {
      const date = new Date(Date.now() - 60_000).toUTCString();
      answers = [{ headers: { 'cache-control': 'max-age=600', date }, body: 'dated' }];
      const url = await serve();
      await rawGet(`${url}/r`);
      const hit = await rawGet(`${url}/r`);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers.date).toBe(date);
      expect(Number(hit.headers.age)).toBeGreaterThanOrEqual(60);
      const since = new Date(Date.now() - 30_000).toUTCString();
      expect((await rawGet(`${url}/r`, { 'if-modified-since': since })).status).toBe(304);
    });
  });
});
