import type { FailureEvent } from '@rediware/core';
import {
  closeAllClients,
  connectIoredisCluster,
  connectNodeRedisCluster,
  masterOwning,
  type RedisCluster,
  startCluster,
  waitFor,
} from '@rediware/testing';
import { createRateLimiter } from '../src';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startCluster({ replicasPerMaster: 1 });
}, 60_000);
afterAll(async () => {
  await closeAllClients();
  await cluster.stop();
});

describe.each([
  ['node-redis', () => connectNodeRedisCluster(cluster)],
  ['ioredis', () => connectIoredisCluster(cluster)],
] as const)('rate limit through a Redis Cluster failover with %s', (_, connect) => {
  it('keeps answering (fails open) while a master dies and its replica takes over, then limits again', async () => {
    const limiter = createRateLimiter({
      redis: await connect(),
      limit: 3,
      window: '1h',
      timeout: 300,
      blockCache: false,
    });
    const failures: FailureEvent[] = [];
    limiter.on('failure', (event) => failures.push(event));
    const key = `failover-${_}`;
    // The limiter's key for `key` lives in this slot; find and kill the master that owns it.
    const master = await masterOwning(cluster, `{${key}}`);
    await limiter.consume(key);
    await master.kill();
    const during: boolean[] = [];
    const started = Date.now();
    while (Date.now() - started < 1_500) {
      const call = Date.now();
      during.push((await limiter.consume(key)).allowed);
      // No call waits much past its deadline, whatever the cluster is going through.
      expect(Date.now() - call).toBeLessThan(300 + 1_000);
    }
    expect(during.every((allowed) => allowed)).toBe(true);
    // Once the replica is promoted the limit applies again: at most 3 admissions per hour.
    await waitFor(async () => !(await limiter.consume(key)).allowed, 30_000);
    await limiter.close();
    await master.restart();
  }, 60_000);
});
