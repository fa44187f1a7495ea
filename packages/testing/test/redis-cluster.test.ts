import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeAllClients,
  connectIoredisCluster,
  connectNodeRedisCluster,
  type RedisCluster,
  redisCommand,
  startCluster,
} from '../src';

describe('a 3-master cluster', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await closeAllClients();
    await cluster.stop();
  });

  it('has every node serving every slot', async () => {
    expect(cluster.masters).toHaveLength(3);
    expect(cluster.replicas).toHaveLength(0);
    expect(cluster.nodes).toEqual(cluster.masters.map(({ host, port }) => ({ host, port })));
    expect(cluster.rootNodes).toEqual(
      cluster.masters.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })),
    );
    for (const node of cluster.nodes) {
      expect(await redisCommand(node, ['CLUSTER', 'INFO'])).toMatch(
        /cluster_state:ok[\s\S]*cluster_slots_ok:16384/,
      );
    }
  });

  it('lets a node-redis cluster client write keys that an ioredis cluster client reads back', async () => {
    const writer = await connectNodeRedisCluster(cluster);
    const reader = await connectIoredisCluster(cluster);
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    await Promise.all(keys.map((key) => writer.set(key, `value of ${key}`)));
    expect(await Promise.all(keys.map((key) => reader.get(key)))).toEqual(
      keys.map((key) => `value of ${key}`),
    );
    // 20 keys spread over 16384 slots in 3 ranges: more than one master holds some.
    const sizes = await Promise.all(cluster.masters.map((master) => redisCommand(master, ['DBSIZE'])));
    expect(sizes.filter((size) => Number(size) > 0).length).toBeGreaterThan(1);
  });

  // Last: it takes a master down for a moment.
  it('brings a killed master back into the cluster with the same identity on restart', async () => {
    const master = cluster.masters[0]!;
    const id = await redisCommand(master, ['CLUSTER', 'MYID']);
    await master.kill();
    await master.restart();
    expect(await redisCommand(master, ['CLUSTER', 'MYID'])).toBe(id);
    const deadline = Date.now() + 10_000;
    while (!String(await redisCommand(master, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error('the restarted master did not rejoin');
      await sleep(50);
    }
  });
});

test('forms a cluster with replicas that have synced', async () => {
  const cluster = await startCluster({ replicasPerMaster: 1 });
  try {
    expect(cluster.masters).toHaveLength(3);
    expect(cluster.replicas).toHaveLength(3);
    expect(cluster.nodes.slice(0, 3)).toEqual(cluster.masters.map(({ host, port }) => ({ host, port })));
    for (const replica of cluster.replicas) {
      expect(await redisCommand(replica, ['INFO', 'replication'])).toMatch(
        /role:slave[\s\S]*master_link_status:up/,
      );
    }
  } finally {
    await cluster.stop();
  }
});

test('refuses fewer than 3 masters, which redis-cli cannot form', async () => {
  await expect(startCluster({ masters: 2 })).rejects.toThrow(/at least 3 masters/);
});
