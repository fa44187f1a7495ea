import type { IncomingHttpHeaders } from 'node:http';
import {
  allKeys,
  buildExpressApp,
  closeAllClients,
  connectIoredis,
  headerValue,
  type ListeningApp,
  listenExpress,
  listenFastify,
  type RedisServer,
  rawRequest,
  startRedis,
} from '@rediware/testing';
import fc from 'fast-check';
import Fastify from 'fastify';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';

// Arbitrary header values through the real adapters, into the two ways a key comes from a
// header: the default key (the client IP, from X-Forwarded-For behind a trusted proxy) and a key
// function reading an API key header. Limit 2: the third request with one value is always 429.

const root = 'rwprop:';
let server: RedisServer;
const apps = new Map<string, ListeningApp>();

const keyModes: Record<string, { key?: (req: { headers: IncomingHttpHeaders }) => string }> = {
  ip: {},
  'api-key': { key: (req) => String(req.headers['x-api-key'] ?? '') },
};
const headerOf = { ip: 'x-forwarded-for', 'api-key': 'x-api-key' } as const;

beforeAll(async () => {
  server = await startRedis();
  const redis = await connectIoredis(server.url);
  for (const [mode, options] of Object.entries(keyModes)) {
    const limits = { redis, limit: 2, window: '1h' as const, ...options };
    apps.set(
      `express ${mode}`,
      await listenExpress(
        buildExpressApp((app) => {
          app.set('trust proxy', true);
          app.get('/', rateLimit({ ...limits, prefix: `${root}e-${mode}:` }), (_req, res) => {
            res.send('ok');
          });
        }),
      ),
    );
    const fastify = Fastify({ trustProxy: true });
    await fastify.register(rateLimitPlugin, { ...limits, prefix: `${root}f-${mode}:` });
    fastify.get('/', async () => 'ok');
    apps.set(`fastify ${mode}`, await listenFastify(fastify));
  }
});
afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.close()));
  await closeAllClients();
  await server?.stop();
});

describe.each(['express ip', 'express api-key', 'fastify ip', 'fastify api-key'])('%s', (name) => {
  it('any header value is limited under one key: 200 until the limit, then 429, never a 5xx', async () => {
    const app = apps.get(name) as ListeningApp;
    const header = headerOf[name.split(' ')[1] as keyof typeof headerOf];
    await fc.assert(
      fc.asyncProperty(headerValue(), async (value) => {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++)
          statuses.push((await rawRequest(`${app.url}/`, { [header]: value })).status);
        if (statuses[0] === 431) {
          // Past Node's header size limit: refused before any app code, every time.
          expect(statuses).toEqual([431, 431, 431]);
          return;
        }
        // A value seen in an earlier run (or the same key once trimmed) may start at 429.
        for (const status of statuses) expect([200, 429]).toContain(status);
        expect(statuses[2]).toBe(429);
        expect(statuses.indexOf(429)).toBe(statuses.lastIndexOf(200) + 1);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

// Last: over every request of the file, whatever the header, nothing was written outside the prefixes.
it('left no Redis key outside its prefix', async () => {
  const keys = await allKeys(server);
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !key.startsWith(root))).toEqual([]);
});
