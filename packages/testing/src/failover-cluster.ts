import {
  type AnyRedisClient,
  closeAllClients,
  connectIoredisCluster,
  connectNodeRedisCluster,
} from './clients';
import { type RedisCluster, startCluster } from './redis-cluster';

export interface FailoverCluster {
  /** The cluster of the calling file (3 masters, a replica each), started in its beforeAll. */
  cluster(): RedisCluster;
  /** Both cluster clients, as `[name, connect]` rows for `describe.each`. */
  readonly clients: ReadonlyArray<readonly ['node-redis' | 'ioredis', () => Promise<AnyRedisClient>]>;
}

/**
 * A 3-master Redis Cluster with one replica per master for a failover test file (registers jest
 * hooks: call it at the top level of the file). The clients it connects are closed after the file.
 */
export function useFailoverCluster(): FailoverCluster {
  let started: RedisCluster | undefined;
  const cluster = (): RedisCluster => {
    if (started === undefined) throw new Error('useFailoverCluster: the cluster starts in beforeAll');
    return started;
  };
  beforeAll(async () => {
    started = await startCluster({ replicasPerMaster: 1 });
  }, 60_000);
  afterAll(async () => {
    await closeAllClients();
    await started?.stop();
  });
  return {
    cluster,
    clients: [
      ['node-redis', () => connectNodeRedisCluster(cluster())],
      ['ioredis', () => connectIoredisCluster(cluster())],
    ],
  };
}
