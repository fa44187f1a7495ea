import type { NodeRedisClient } from '@rediware/testing';
import { closeAllClients, connectNodeRedis, type RedisServer, startRedis } from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import lockPlugin, { type FastifyLockRouteOptions } from '../src/fastify';

let server: RedisServer;
let redis: NodeRedisClient;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = await connectNodeRedis(server.url);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

async function build(routes: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await app.register(lockPlugin, { redis });
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

const guard = { key: () => 'resource', ttl: '5s' } satisfies FastifyLockRouteOptions;

describe('Fastify lock plugin: route config typos', () => {
  it('warns once per misspelt key, naming the route and `config.lock`; the route stays unguarded', async () => {
    let app: FastifyInstance | undefined;
    const warnings = await typoWarnings(async () => {
      app = await build((app) => {
        app.post('/a', { config: { lcok: guard } as object }, async (request) => ({
          locked: request.lock !== null,
        }));
        app.post('/b', { config: { lcok: guard } as object }, async () => 'b');
        app.post('/c', { config: { LOCK: guard } as object }, async () => 'c');
      });
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^@rediware\/lock: route POST \/a has `config\.lcok`.*Did you mean `config\.lock`\?/,
      ),
      expect.stringMatching(/route POST \/c has `config\.LOCK`.*Did you mean `config\.lock`\?/),
    ]);
    const reply = await (app as FastifyInstance).inject({ method: 'POST', url: '/a' });
    expect(reply.json()).toEqual({ locked: false });
  });

  it('does not warn for the right key nor for unrelated keys', async () => {
    let app: FastifyInstance | undefined;
    const warnings = await typoWarnings(async () => {
      app = await build((app) => {
        app.post('/a', { config: { lock: guard } }, async (request) => ({ locked: request.lock !== null }));
        app.post('/b', { config: { lock: false, auth: 'admin', ok: true } as object }, async () => 'b');
      });
    });
    expect(warnings).toEqual([]);
    const reply = await (app as FastifyInstance).inject({ method: 'POST', url: '/a' });
    expect(reply.json()).toEqual({ locked: true });
  });
});
