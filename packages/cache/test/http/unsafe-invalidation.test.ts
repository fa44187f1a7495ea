import { type ListeningApp, type RedisTarget, useRedisTargets, waitFor } from '@rediware/testing';
import { listenWith, type NeutralHandler, type NeutralResponse } from '../helpers/neutral-apps';
import { rawGet } from '../helpers/raw-get';

// RFC 9111 §4.4: a successful unsafe request invalidates its target and the same-origin URIs in
// Location and Content-Location, on every instance. Two app servers, one Express and one Fastify,
// share one Redis (and each keeps an L1 tier): what one invalidates, the other stops serving.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const [target] = useRedisTargets(['ioredis']) as [RedisTarget];

describe('unsafe requests invalidate on every instance (Express and Fastify sharing Redis)', () => {
  const apps: ListeningApp[] = [];
  let version: number;
  /** The answer to the next unsafe request. */
  let unsafeAnswer: NeutralResponse;
  const handler: NeutralHandler = ({ method, url }) => {
    if (method === 'GET' || method === 'HEAD')
      return { headers: { 'cache-control': 'max-age=3600' }, body: `${url} v${version}` };
    version++;
    return unsafeAnswer;
  };
  let express: string;
  let fastify: string;

  beforeEach(async () => {
    await target.flush();
    version = 1;
    unsafeAnswer = { status: 204 };
    const options = { redis: target.client(), ttl: 0, minUses: 1 };
    apps.push(await listenWith('express', options, handler), await listenWith('fastify', options, handler));
    [express, fastify] = apps.map((app) => app.url) as [string, string];
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** GETs `path` through both servers until both have it stored (HIT). */
  async function cachedOnBoth(path: string): Promise<void> {
    for (const url of [express, fastify]) {
      await rawGet(`${url}${path}`);
      expect((await rawGet(`${url}${path}`)).headers['x-cache']).toBe('HIT');
    }
  }

  const xCache = async (url: string, path: string) => (await rawGet(`${url}${path}`)).headers['x-cache'];

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'M-SEARCH'])(
    'a successful %s through one server invalidates the target (all its queries) on both',
    async (method) => {
      await cachedOnBoth('/item');
      await cachedOnBoth('/item?page=2');
      await cachedOnBoth('/other');
      const through = method === 'PUT' || method === 'M-SEARCH' ? express : fastify;
      expect((await rawGet(`${through}/item`, {}, method)).status).toBe(204);
      // Invalidated before the response went out: the other server's next GET runs the handler.
      const other = through === express ? fastify : express;
      for (const path of ['/item', '/item?page=2']) {
        const after = await rawGet(`${other}${path}`);
        expect(after.headers['x-cache']).toBe('MISS');
        expect(after.body).toBe(`${path} v2`);
        expect((await rawGet(`${through}${path}`)).body).toBe(`${path} v2`);
      }
      for (const url of [express, fastify]) expect(await xCache(url, '/other')).toBe('HIT');
    },
  );

  it('an unsafe request that fails (4xx, 5xx) invalidates nothing', async () => {
    await cachedOnBoth('/item');
    for (const status of [400, 404, 500, 503]) {
      unsafeAnswer = { status };
      expect((await rawGet(`${express}/item`, {}, 'POST')).status).toBe(status);
      expect((await rawGet(`${fastify}/item`, {}, 'DELETE')).status).toBe(status);
    }
    for (const url of [express, fastify]) expect(await xCache(url, '/item')).toBe('HIT');
  });

  it('invalidates same-origin Location and Content-Location, absolute or relative, never another origin', async () => {
    for (const path of ['/a/created', '/a/content', '/absolute', '/elsewhere', '/item'])
      await cachedOnBoth(path);
    const host = new URL(express).host;
    unsafeAnswer = {
      status: 201,
      headers: { location: 'created', 'content-location': '/a/content' },
    };
    await rawGet(`${fastify}/a/collection`, { host }, 'POST');
    unsafeAnswer = {
      status: 303,
      headers: { location: `http://${host}/absolute`, 'content-location': 'http://evil.example/elsewhere' },
    };
    await rawGet(`${express}/item`, { host }, 'POST');
    for (const path of ['/a/created', '/a/content', '/absolute', '/item'])
      expect(await xCache(express, path)).toBe('MISS');
    expect(await xCache(fastify, '/elsewhere')).toBe('HIT');
  });

  it('with an L1 tier in each server, the other server drops its in-process copy too (pub/sub bus)', async () => {
    const options = { redis: target.client(), ttl: 0, l1: true, minUses: 1 };
    const withL1 = [
      await listenWith('express', options, handler),
      await listenWith('fastify', options, handler),
    ];
    apps.push(...withL1);
    const [first, second] = withL1.map((app) => app.url) as [string, string];
    for (const url of [first, second]) {
      await rawGet(`${url}/item`);
      expect((await rawGet(`${url}/item`)).body).toBe('/item v1');
    }
    await rawGet(`${first}/item`, {}, 'DELETE');
    expect((await rawGet(`${first}/item`)).body).toBe('/item v2');
    await waitFor(async () => (await rawGet(`${second}/item`)).body === '/item v2');
  });

  it('an invalidation that lands while a GET runs its handler leaves that response unstored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((done) => {
      release = done;
    });
    let runs = 0;
    const slow = await listenWith('express', { redis: target.client(), ttl: 0 }, async () => {
      await gate;
      return { headers: { 'cache-control': 'max-age=3600' }, body: `run ${++runs}` };
    });
    apps.push(slow);
    const running = rawGet(`${slow.url}/racing`);
    await sleep(100);
    await rawGet(`${fastify}/racing`, {}, 'PUT');
    release();
    expect((await running).body).toBe('run 1');
    // Read through the other server: what is in Redis, not this process's flight finishing.
    expect((await rawGet(`${fastify}/racing`)).headers['x-cache']).toBe('MISS');
  });

  it('a GET or HEAD, however answered, invalidates nothing', async () => {
    await cachedOnBoth('/item');
    await rawGet(`${express}/item`, {}, 'HEAD');
    await rawGet(`${fastify}/item`, {}, 'OPTIONS');
    await waitFor(async () => (await xCache(express, '/item')) === 'HIT');
    expect(await xCache(fastify, '/item')).toBe('HIT');
  });
});
