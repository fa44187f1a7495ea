import {
  type AnyRedisClient,
  buildExpressApp,
  buildFastifyApp,
  closeAllClients,
  type ListeningApp,
  listenExpress,
  listenFastify,
  throughFailover,
  useCleanup,
  useFailoverCluster,
  useUnhandledRejections,
} from '@rediware/testing';
import { lockGuard } from '../src/express';
import lockPlugin from '../src/fastify';
import { get } from './http';

const timeoutMs = 300;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const bound = timeoutMs + 1_000;

const failover = useFailoverCluster();
const unhandled = useUnhandledRejections();
const defer = useCleanup();

const ttl = '5s';

/** GET /orders/:id under a lock on the id, answering the fencing token; closing it closes the locker. */
async function serve(framework: 'express' | 'fastify', redis: AnyRedisClient): Promise<ListeningApp> {
  if (framework === 'express') {
    const guard = lockGuard({ redis, key: (req) => String(req.params.id), ttl, timeout: timeoutMs });
    const app = await listenExpress(
      buildExpressApp((express) => {
        express.get('/orders/:id', guard, (req, res) => {
          res.json({ token: req.lock?.fencingToken });
        });
      }),
    );
    return { url: app.url, close: () => app.close().then(() => guard.close()) };
  }
  const fastify = await buildFastifyApp(async (instance) => {
    await instance.register(lockPlugin, { redis, timeout: timeoutMs });
    instance.get(
      '/orders/:id',
      { config: { lock: { key: (request) => (request.params as { id: string }).id, ttl } } },
      async (request) => ({ token: request.lock?.fencingToken }),
    );
  });
  return listenFastify(fastify);
}

describe.each(
  (['express', 'fastify'] as const).flatMap((framework) =>
    failover.clients.map(([client, connect]) => [framework, client, connect] as const),
  ),
)('the %s lock guard through a Redis Cluster failover with %s', (framework, client, connect) => {
  it('fails closed (503) while the master dies and its replica takes over, then grants larger fencing tokens', async () => {
    defer(closeAllClients);
    const app = await serve(framework, await connect());
    defer(() => app.close());
    const key = `failover-${framework}-${client}`;
    const url = `${app.url}/orders/${key}`;
    const before = JSON.parse((await get(url)).body) as { token: number };

    // A plain lock key is its own hash tag: kill the master serving that slot.
    const { outcomes, restoreMaster } = await throughFailover(failover.cluster(), `{${key}}`, {
      probe: () => get(url),
      recovered: ({ value }) => value?.status === 200,
    });
    defer(restoreMaster);

    const failed = outcomes.slice(0, -1);
    expect(failed.length).toBeGreaterThan(0);
    // While the slot has no master, every request fails closed: 503. An acquire that timed out
    // then may still run once the replica is promoted (the client queued it through the
    // failover), and hold the key until its late reply has the locker release it: a request in
    // that window is refused as busy (409). Either way nothing is granted before recovery.
    expect(failed[0]?.value?.status).toBe(503);
    for (const { value, error, elapsed } of failed) {
      expect(error).toBeUndefined();
      expect([503, 409]).toContain(value?.status);
      expect(value?.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(elapsed).toBeLessThan(bound);
    }
    // The fencing counter came through the failover on the replica: tokens still only grow.
    const after = JSON.parse(outcomes.at(-1)?.value?.body ?? '{}') as { token: number };
    expect(after.token).toBeGreaterThan(before.token);
    expect(unhandled()).toEqual([]);
  }, 60_000);
});
