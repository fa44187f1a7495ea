import type { IncomingHttpHeaders } from 'node:http';
import { type ListeningApp, listenExpress, listenFastify } from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import { responseCache } from '../../src/express';
import cachePlugin from '../../src/fastify';
import type { ResponseCacheOptions } from '../../src/http/options';

export type Framework = 'express' | 'fastify';
export const frameworks: Framework[] = ['express', 'fastify'];

/** What a route handler sees of a request: method, target and headers (after the cache ran). */
export interface NeutralRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A response the handler writes as it is: no ETag, Date or anything else added by the framework. */
export interface NeutralResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type NeutralHandler = (request: NeutralRequest) => NeutralResponse | Promise<NeutralResponse>;

/** The options both frameworks take alike (not the per-request callbacks). */
type CacheOptions = Partial<Omit<ResponseCacheOptions<unknown>, 'key' | 'tags'>>;

/**
 * The response cache of one framework in front of one catch-all route (every method, M-SEARCH
 * too): the same handler in Express and Fastify, so a shared check runs unchanged on both.
 * Node's own Date header is left out, so the handler's headers are all the client gets.
 */
export async function listenWith(
  framework: Framework,
  options: CacheOptions,
  handler: NeutralHandler,
): Promise<ListeningApp> {
  // minUses 1: these checks are about what is stored, from the first response on (see store-admission.test.ts).
  const cacheOptions: ResponseCacheOptions<unknown> = { ttl: '1m', minUses: 1, ...options };
  if (framework === 'express') {
    const cache = responseCache(cacheOptions);
    const app = express();
    app.use((_req, res, next) => {
      res.sendDate = false;
      next();
    });
    app.use(cache);
    app.all('/{*path}', async (req, res) => {
      const answer = await handler({ method: req.method, url: req.originalUrl, headers: req.headers });
      res.status(answer.status ?? 200);
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      res.end(answer.body);
    });
    const server = await listenExpress(app);
    return { url: server.url, close: () => server.close().finally(() => cache.close()) };
  }
  const app = Fastify({ logger: false });
  app.addHttpMethod('M-SEARCH', { hasBody: true });
  app.addHook('onRequest', async (_request, reply) => {
    reply.raw.sendDate = false;
  });
  await app.register(cachePlugin, cacheOptions);
  app.all('/*', async (request, reply) => {
    const answer = await handler({ method: request.method, url: request.url, headers: request.headers });
    return reply
      .code(answer.status ?? 200)
      .headers(answer.headers ?? {})
      .send(answer.body ?? '');
  });
  return listenFastify(app);
}
