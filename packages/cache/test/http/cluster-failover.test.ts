import {
  type AnyRedisClient,
  allKeys,
  buildExpressApp,
  buildFastifyApp,
  closeAllClients,
  type ListeningApp,
  listenExpress,
  listenFastify,
  redisCommand,
  throughFailover,
  useCleanup,
  useFailoverCluster,
  useUnhandledRejections,
} from '@rediware/testing';
import { responseCache } from '../../src/express';
import responseCachePlugin from '../../src/fastify';

const timeoutMs = 300;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const bound = timeoutMs + 1_000;

const failover = useFailoverCluster();
const unhandled = useUnhandledRejections();
const defer = useCleanup();

/** Every key under `prefix` on the cluster's current masters. */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of [...failover.cluster().masters, ...failover.cluster().replicas]) {
    const role = (await redisCommand(node, ['ROLE']).catch(() => [])) as string[];
    if (role[0] === 'master') keys.push(...(await allKeys(node)).filter((key) => key.startsWith(prefix)));
  }
  return keys;
}

interface Reply {
  status: number;
  xCache: string | null;
  body: string;
}

async function fetchReply(url: string): Promise<Reply> {
  const response = await fetch(url);
  return { status: response.status, xCache: response.headers.get('x-cache'), body: await response.text() };
}

/** GET /item through the response cache, counting the origin's calls; closing it closes the cache. */
async function serve(
  framework: 'express' | 'fastify',
  redis: AnyRedisClient,
  prefix: string,
): Promise<ListeningApp & { originCalls(): number }> {
  let calls = 0;
  const origin = () => `origin call ${++calls}`;
  const options = { redis, prefix, ttl: '1m' as const, timeout: timeoutMs, minUses: 1 };
  let app: ListeningApp;
  if (framework === 'express') {
    const cache = responseCache(options);
    const listening = await listenExpress(
      buildExpressApp((express) => express.get('/item', cache, (_req, res) => void res.send(origin()))),
    );
    app = { url: listening.url, close: () => listening.close().then(() => cache.close()) };
  } else {
    app = await listenFastify(
      await buildFastifyApp(async (instance) => {
        await instance.register(responseCachePlugin, options);
        instance.get('/item', async () => origin());
      }),
    );
  }
  return { ...app, originCalls: () => calls };
}

describe.each(
  (['express', 'fastify'] as const).flatMap((framework) =>
    failover.clients.map(([client, connect]) => [framework, client, connect] as const),
  ),
)('the %s response cache through a Redis Cluster failover with %s', (framework, client, connect) => {
  it('serves the origin (fails open) while the master dies and its replica takes over, then hits again', async () => {
    const prefix = `rwtest:failover:${framework}:${client}:`;
    defer(closeAllClients);
    const app = await serve(framework, await connect(), prefix);
    defer(() => app.close());
    const url = `${app.url}/item`;
    expect(await fetchReply(url)).toMatchObject({ status: 200, xCache: 'MISS', body: 'origin call 1' });
    expect(await fetchReply(url)).toMatchObject({ status: 200, xCache: 'HIT', body: 'origin call 1' });

    // Kill the master that holds the stored response.
    const stored = (await keysUnder(prefix)).filter((key) => key.endsWith(':e'));
    expect(stored.length).toBeGreaterThan(0);
    const { outcomes, restoreMaster } = await throughFailover(failover.cluster(), stored[0] as string, {
      probe: () => fetchReply(url),
      recovered: ({ value }) => value?.xCache === 'HIT',
    });
    defer(restoreMaster);

    const during = outcomes.slice(0, -1);
    expect(during.length).toBeGreaterThan(0);
    for (const { value, error, elapsed } of during) {
      expect(error).toBeUndefined();
      expect(value?.status).toBe(200);
      expect(value?.body).toMatch(/^origin call \d+$/);
      expect(elapsed).toBeLessThan(bound);
    }
    // Each request the cache could not answer went to the origin; the stored response came through.
    expect(app.originCalls()).toBeGreaterThan(1);
    expect(outcomes.at(-1)?.value?.body).toBe('origin call 1');
    expect(unhandled()).toEqual([]);
  }, 60_000);
});
