import { responseCache } from '@rediware/cache/express';
import cachePlugin from '@rediware/cache/fastify';
import { type ListeningApp, listenExpress, listenFastify } from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import type { Redis } from 'ioredis';
import { forwardedHeaders, forwardToOrigin, readBody, surrogateTarget } from './forward-to-origin';

export type Framework = 'express' | 'fastify';

export interface ProxyApp extends ListeningApp {
  framework: Framework;
}

// The response cache as a shared cache in front of the suite's origin, configured as a gateway in
// production would be: `ttl: 0`, so every freshness comes from the origin's own headers, as
// RFC 9111 has it; `staleIfError`, so an unreachable origin (the forward rejects, the route hands
// the error to the framework) is answered with the stale copy where the response allows it;
// Surrogate-Control directives targeted at this gateway's device token honoured. The route
// handler only forwards; everything the suite judges is the cache's doing. `minUses: 1`: each test
// asks its own URL once or twice and judges whether the first response was stored.
const cacheOptions = (redis: Redis) => ({
  redis,
  ttl: 0,
  minUses: 1,
  staleIfError: '1d' as const,
  surrogateControl: { target: surrogateTarget },
});

export async function startExpressProxy(origin: URL, redis: Redis): Promise<ProxyApp> {
  const app = express();
  const cache = responseCache(cacheOptions(redis));
  app.use(cache);
  app.all('/{*path}', async (req, res, next) => {
    try {
      const body = await readBody(req);
      const answer = await forwardToOrigin(origin, req.method, req.originalUrl, req.headers, body);
      res.status(answer.status);
      for (const [name, value] of forwardedHeaders(answer.headers)) res.setHeader(name, value);
      res.end(answer.body);
    } catch (error) {
      next(error);
    }
  });
  const server = await listenExpress(app);
  // The cache holds a pub/sub subscription of its own: left open, this process never exits.
  return { framework: 'express', url: server.url, close: () => server.close().finally(() => cache.close()) };
}

export async function startFastifyProxy(origin: URL, redis: Redis): Promise<ProxyApp> {
  const app = Fastify({ logger: false });
  // An unknown method (the suite sends M-SEARCH) reaches the route, and the cache's hooks, too.
  app.addHttpMethod('M-SEARCH', { hasBody: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(cachePlugin, cacheOptions(redis));
  app.all('/*', async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const answer = await forwardToOrigin(origin, request.method, request.url, request.headers, body);
    reply.code(answer.status);
    for (const [name, value] of forwardedHeaders(answer.headers)) reply.header(name, value);
    return reply.send(answer.body);
  });
  return { framework: 'fastify', ...(await listenFastify(app)) };
}
