import { type RedisTarget, useRedisTargets } from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import responseCache from '../../src/fastify';

const [target] = useRedisTargets(['ioredis']) as [RedisTarget];
const apps: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function build(routes: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(responseCache, { redis: target.client(), ttl: '1m', minUses: 1 });
  routes(app);
  await app.ready();
  return app;
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

describe('Fastify response cache: route config typos', () => {
  it('warns once per misspelt key, naming the route and `config.cache`', async () => {
    let calls = 0;
    let app: FastifyInstance | undefined;
    const warnings = await typoWarnings(async () => {
      app = await build((app) => {
        app.get('/a', { config: { cahce: false } as object }, async () => ({ calls: ++calls }));
        app.get('/b', { config: { cahce: false } as object }, async () => 'b');
        app.get('/c', { config: { Cache: { ttl: '5m' } } as object }, async () => 'c');
      });
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^@rediware\/cache: route GET \/a has `config\.cahce`.*Did you mean `config\.cache`\?/,
      ),
      expect.stringMatching(/route GET \/c has `config\.Cache`.*Did you mean `config\.cache`\?/),
    ]);
    // The misspelt `false` did not keep the route out of the cache.
    await (app as FastifyInstance).inject('/a');
    const second = await (app as FastifyInstance).inject('/a');
    expect(second.headers['x-cache']).toBe('HIT');
  });

  it('does not warn for the right key nor for unrelated keys', async () => {
    const warnings = await typoWarnings(() =>
      build((app) => {
        app.get('/a', { config: { cache: { ttl: '5m' } } }, async () => 'a');
        app.get('/b', { config: { cache: false, auth: 'admin', caching: 'x' } as object }, async () => 'b');
        app.get('/c', async () => 'c');
      }),
    );
    expect(warnings).toEqual([]);
  });
});
