import type { FailureEvent } from '@rediware/core';
import {
  closeAllClients,
  connectIoredisCluster,
  connectNodeRedisCluster,
  type RedisCluster,
  redisCommand,
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

/** The master that owns the slot of `key`, found by asking the cluster. */
async function ownerOf(key: string) {
  const slot = Number(await redisCommand(cluster.nodes[0]!, ['CLUSTER', 'KEYSLOT', key]));
  const slots = (await redisCommand(cluster.nodes[0]!, ['CLUSTER', 'SLOTS'])) as Array<
    [number, number, [string, number]]
  >;
  const range = slots.find(([from, to]) => slot >= from && slot <= to);
  return cluster.masters.find((master) => master.port === Number(range?.[2][1]));
}

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
    const master = await ownerOf(`{${key}}`);
    expect(master).toBeDefined();
    await limiter.consume(key);
    await master?.kill();
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
    await master?.restart();
  }, 60_000);
});
