import { type ListeningApp, listenFastify, type RedisTarget, useRedisTargets } from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import responseCache, { type FastifyResponseCacheOptions } from '../../src/fastify';

// What apicache users rely on, as docs/migrating/apicache.md maps it, on Fastify.

const targets = useRedisTargets(['ioredis', 'node-redis']);

describe.each(targets)('apicache parity (fastify) on $name', (target: RedisTarget) => {
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
  ): Promise<string> {
    const app = Fastify({ logger: false });
    await app.register(responseCache, { redis: target.client(), ttl: '1m', minUses: 1, ...options });
    routes(app);
    const server = await listenFastify(app);
    servers.push(server);
    return server.url;
  }

  const counted = async (_request: unknown, reply: { header(name: string, value: string): unknown }) => {
    calls++;
    reply.header('x-request-id', `id-${calls}`);
    reply.header('x-handler', 'yes');
    return `body ${calls}`;
  };

  it('omitHeaders (headerBlacklist), plugin-wide and per route: the miss sends them, hits go without', async () => {
    const url = await serve({ omitHeaders: ['X-Request-Id'] }, (app) => {
      app.get('/a', counted);
      app.get('/b', { config: { cache: { omitHeaders: ['x-handler'] } } }, counted);
    });
    const miss = await fetch(`${url}/a`);
    expect(miss.headers.get('x-request-id')).toBe('id-1');
    const hit = await fetch(`${url}/a`);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(await hit.text()).toBe('body 1');
    expect(hit.headers.get('x-request-id')).toBeNull();
    expect(hit.headers.get('x-handler')).toBe('yes');
    expect(hit.headers.get('content-type')).toBe(miss.headers.get('content-type'));
    // A route's list replaces the plugin's.
    await fetch(`${url}/b`);
    const routeHit = await fetch(`${url}/b`);
    expect(routeHit.headers.get('x-cache')).toBe('HIT');
    expect(routeHit.headers.get('x-handler')).toBeNull();
    expect(routeHit.headers.get('x-request-id')).toBe('id-2');
  });

  it('skip (toggle), plugin-wide and per route: bypassed, nothing stored, no stored copy served', async () => {
    const url = await serve({ skip: (request) => request.headers['x-no-cache'] === '1' }, (app) => {
      app.get('/a', counted);
      app.get(
        '/r',
        { config: { cache: { skip: (request) => 'fresh' in (request.query as object) } } },
        counted,
      );
    });
    await fetch(`${url}/a`);
    expect((await fetch(`${url}/a`)).headers.get('x-cache')).toBe('HIT');
    const skipped = await fetch(`${url}/a`, { headers: { 'x-no-cache': '1' } });
    expect(skipped.headers.get('x-cache')).toBe('BYPASS');
    expect(await skipped.text()).toBe('body 2');
    expect((await fetch(`${url}/r?fresh`)).headers.get('x-cache')).toBe('BYPASS');
    expect((await fetch(`${url}/r?fresh`)).headers.get('x-cache')).toBe('BYPASS');
    await fetch(`${url}/r`);
    expect((await fetch(`${url}/r`)).headers.get('x-cache')).toBe('HIT');
    expect(calls).toBe(5);
  });

  it('skip with an L1 tier: the in-memory copy is not served either', async () => {
    let skipping = false;
    const url = await serve({ l1: true, skip: () => skipping }, (app) => {
      app.get('/l1', counted);
    });
    await fetch(`${url}/l1`);
    expect((await fetch(`${url}/l1`)).headers.get('x-cache')).toBe('HIT');
    skipping = true;
    expect((await fetch(`${url}/l1`)).headers.get('x-cache')).toBe('BYPASS');
    expect(calls).toBe(2);
  });

  it('clear(group) → app.responseCache.invalidate({ tags }); clear(path) → invalidate({ paths })', async () => {
    let app: FastifyInstance | undefined;
    const url = await serve(
      { tags: (request) => (request.url.startsWith('/users') ? ['users'] : []) },
      (instance) => {
        app = instance;
        instance.get('/*', counted);
      },
    );
    for (const path of ['/users/1', '/posts/1']) await fetch(`${url}${path}`);
    await app?.responseCache.invalidate({ tags: ['users'] });
    expect((await fetch(`${url}/users/1`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${url}/posts/1`)).headers.get('x-cache')).toBe('HIT');
    await app?.responseCache.invalidate({ paths: ['/posts/1'] });
    expect((await fetch(`${url}/posts/1`)).headers.get('x-cache')).toBe('MISS');
  });

  it("the guide's Fastify example: omitHeaders on the plugin, statuses and a group as tags per route, POST invalidates", async () => {
    const url = await serve({ ttl: '5m', omitHeaders: ['x-request-id'] }, (instance) => {
      instance.get<{ Params: { collection: string; id: string } }>(
        '/api/:collection/:id',
        {
          config: {
            cache: {
              statuses: [200],
              tags: (request) => [(request.params as { collection: string }).collection],
            },
          },
        },
        async (request, reply) => {
          calls++;
          reply.header('x-request-id', `id-${calls}`);
          return { ...request.params, calls };
        },
      );
      instance.post<{ Params: { collection: string } }>('/api/:collection/:id', async (request) => {
        await instance.responseCache.invalidate({ tags: [request.params.collection] });
        return 'updated';
      });
    });
    await fetch(`${url}/api/posts/1`);
    await fetch(`${url}/api/users/1`);
    const hit = await fetch(`${url}/api/posts/1`);
    expect([hit.headers.get('x-cache'), hit.headers.get('x-request-id')]).toEqual(['HIT', null]);
    expect(await hit.json()).toEqual({ collection: 'posts', id: '1', calls: 1 });
    await fetch(`${url}/api/posts/2`, { method: 'POST' });
    expect((await fetch(`${url}/api/posts/1`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${url}/api/users/1`)).headers.get('x-cache')).toBe('HIT');
  });
});
