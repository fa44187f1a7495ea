import { type RedisServer, throughFailover, useCleanup, useFailoverCluster } from '@rediware/testing';
import type { WorkerRedis } from './app-process';
import { type Framework, startAppWorker } from './app-worker';
import { cookieFor, signedIdFrom } from './session-cookies';

// Each app runs in its own process (see app-worker.ts; @fastify/session cannot run inside jest).
// An unhandled rejection would end that process, and every later probe with it.

const timeoutMs = 300;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const bound = timeoutMs + 1_000;

const failover = useFailoverCluster();
const defer = useCleanup();

const urls = () => failover.cluster().masters.map((master: RedisServer) => master.url);

describe.each([
  ['express', 'node-redis-cluster'],
  ['express', 'ioredis-cluster'],
  ['fastify', 'node-redis-cluster'],
  ['fastify', 'ioredis-cluster'],
] as const)('%s sessions through a Redis Cluster failover with %s', (framework: Framework, kind) => {
  it('fail closed (503, never a lost session) while the master dies and its replica takes over, then resume', async () => {
    const redis = { kind, urls: urls() } as WorkerRedis;
    const app = await startAppWorker(framework, { redis, prefix: 'rwtest:failover:', timeout: timeoutMs });
    defer(() => app.close());
    const login = await fetch(`${app.url}/login?user=alice`, { method: 'POST' });
    const { id } = (await login.json()) as { id: string };
    const cookie = cookieFor(framework, signedIdFrom(login.headers.get('set-cookie')) as string);
    const me = async () => {
      const response = await fetch(`${app.url}/me`, { headers: { cookie } });
      return { status: response.status, body: (await response.json()) as unknown };
    };

    // The session's keys share the hash tag of its id: kill the master serving that slot.
    const { outcomes, restoreMaster } = await throughFailover(failover.cluster(), `{${id}}`, {
      probe: me,
      recovered: ({ value }) => value?.status === 200,
    });
    defer(restoreMaster);

    const failed = outcomes.slice(0, -1);
    expect(failed.length).toBeGreaterThan(0);
    for (const { value, error, elapsed } of failed) {
      expect(error).toBeUndefined();
      expect(value?.status).toBe(503);
      expect(elapsed).toBeLessThan(bound);
    }
    // The session written before the failover is on the promoted replica: alice is still logged in.
    expect(outcomes.at(-1)?.value?.body).toMatchObject({ id, user: 'alice' });
  }, 60_000);
});
