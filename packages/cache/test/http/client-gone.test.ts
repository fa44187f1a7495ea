import { setTimeout as sleep } from 'node:timers/promises';
import {
  abandonedGet,
  closeAllClients,
  connectIoredis,
  type FaultProxy,
  type ListeningApp,
  listenExpress,
  listenFastify,
  type RedisServer,
  startFaultProxy,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import Fastify from 'fastify';
import { responseCache } from '../../src/express';
import cachePlugin from '../../src/fastify';

/*
 * A client that leaves while the cache is still asking Redis: by the time the cache lets the
 * handler run, the response is already closed, so its 'close' event has come and gone. The entry's
 * flight must end all the same; else every later request for that URL waits on it forever.
 */

let server: RedisServer;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await startRedis();
  proxy = await startFaultProxy(server);
});
afterAll(async () => {
  await closeAllClients();
  await proxy.close();
  await server.stop();
});

async function listen(framework: 'express' | 'fastify'): Promise<ListeningApp> {
  const options = { redis: await connectIoredis(proxy.url), ttl: '1m', timeout: '5s', minUses: 1 } as const;
  if (framework === 'express') {
    const cache = responseCache(options);
    const app = express();
    app.use(cache);
    app.get('/{*path}', (_req, res) => res.send('ok'));
    const listening = await listenExpress(app);
    return { url: listening.url, close: () => listening.close().finally(() => cache.close()) };
  }
  const app = Fastify();
  await app.register(cachePlugin, options);
  app.get('/*', async () => 'ok');
  return listenFastify(app);
}

describe.each(['express', 'fastify'] as const)(
  '%s: a client gone before the lookup answered',
  (framework) => {
    let app: ListeningApp;
    afterEach(async () => {
      proxy.pass();
      await app.close();
    });

    it('leaves no flight behind: the next request for the URL is answered', async () => {
      app = await listen(framework);
      expect((await fetch(`${app.url}/warm`)).status).toBe(200); // scripts loaded, bus subscribed
      proxy.slow(300);
      await abandonedGet(`${app.url}/gone`, 100);
      await sleep(700); // the lookup's replies arrive: the cache decides to run the handler
      proxy.pass();
      const next = await fetch(`${app.url}/gone`, { signal: AbortSignal.timeout(3_000) });
      expect(next.status).toBe(200);
      expect(await next.text()).toBe('ok');
    });
  },
);
