import { gunzipSync } from 'node:zlib';
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
import { responseCache } from '../../src/express';
import responseCachePlugin from '../../src/fastify';
import { normalisedVaryValue } from '../../src/http/rfc9111/vary-values';

// Arbitrary request headers through the real adapters: the two the route's responses Vary on,
// and the ones the cache itself reads (Cache-Control, If-None-Match, Accept-Encoding). The route
// echoes the varied values, so a response served for another variant shows in the body.

const root = 'rwprop:';
const vary = 'X-Tenant, Accept-Language';
/** Large enough that the cache stores it gzipped and Accept-Encoding decides what it sends. */
const padding = 'cacheable text '.repeat(200);
let server: RedisServer;
let expressCache: ReturnType<typeof responseCache>;
const apps = new Map<string, ListeningApp>();

function echo(headers: Record<string, string | string[] | undefined>): string {
  return JSON.stringify({ tenant: headers['x-tenant'], language: headers['accept-language'], padding });
}

beforeAll(async () => {
  server = await startRedis();
  const redis = await connectIoredis(server.url);
  const options = { redis, ttl: '1h' as const, minUses: 1 };
  const cache = responseCache({ ...options, prefix: `${root}e:` });
  expressCache = cache;
  apps.set(
    'express',
    await listenExpress(
      buildExpressApp((app) => {
        app.get('/echo', cache, (req, res) => {
          res.set('vary', vary).type('application/json').send(echo(req.headers));
        });
      }),
    ),
  );
  const fastify = Fastify();
  await fastify.register(responseCachePlugin, { ...options, prefix: `${root}f:` });
  fastify.get('/echo', async (request, reply) => {
    reply.header('vary', vary).type('application/json');
    return echo(request.headers);
  });
  apps.set('fastify', await listenFastify(fastify));
});
afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.close()));
  await expressCache?.close();
  await closeAllClients();
  await server?.stop();
});

/** What Node hands the app for a header value: leading and trailing spaces and tabs removed. */
const trimmed = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');
/** Accept-Language values that name the same ranges with the same weights share a variant. */
const sameRanges = (value: string) => normalisedVaryValue('accept-language', value);

const requestHeaders = fc.record(
  {
    'x-tenant': headerValue(),
    'accept-language': headerValue(),
    'cache-control': fc.oneof(
      headerValue(),
      fc.constantFrom('no-cache', 'no-store', 'max-age=0', 'max-stale', 'min-fresh=99999', 'only-if-cached'),
    ),
    'if-none-match': fc.oneof(headerValue(), fc.constantFrom('*', 'W/"x"', '"a", "b"')),
    'accept-encoding': fc.oneof(
      headerValue(),
      fc.constantFrom('gzip', 'gzip;q=0', 'identity;q=0, *;q=0', 'br'),
    ),
  },
  { requiredKeys: ['x-tenant', 'accept-language'] },
);

describe.each(['express', 'fastify'])('the response cache on %s', (name) => {
  it('any request headers: the requested variant or a clear status, never a 5xx, never another variant', async () => {
    const app = apps.get(name) as ListeningApp;
    await fc.assert(
      fc.asyncProperty(requestHeaders, async (headers) => {
        // Twice: the first may store the response, the second may be served from the cache.
        for (let i = 0; i < 2; i++) {
          const reply = await rawRequest(`${app.url}/echo`, headers);
          if (reply.status === 431) return; // past Node's header size limit, before any app code
          if (reply.status === 304) {
            expect(headers['if-none-match']).toBeDefined();
            continue;
          }
          if (reply.status === 504) {
            // RFC 9111 5.2.1.7: only-if-cached and nothing stored for it.
            expect(headers['cache-control']).toMatch(/only-if-cached/i);
            continue;
          }
          expect(reply.status).toBe(200);
          const body = reply.headers['content-encoding'] === 'gzip' ? gunzipSync(reply.body) : reply.body;
          // X-Tenant exactly as sent; Accept-Language as any request of the same ranges sent it.
          const echoed = JSON.parse(body.toString('utf8')) as { tenant: string; language: string };
          expect({ ...echoed, language: sameRanges(echoed.language) }).toEqual({
            tenant: trimmed(headers['x-tenant']),
            language: sameRanges(trimmed(headers['accept-language'])),
            padding,
          });
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

// Last: over every request of the file, whatever the headers, nothing was written outside the prefixes.
it('left no Redis key outside its prefix', async () => {
  const keys = await allKeys(server);
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !key.startsWith(root))).toEqual([]);
});
