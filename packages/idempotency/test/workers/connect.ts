import { Cluster } from 'ioredis';
import { createClient } from 'redis';

export interface WorkerTarget {
  cluster: boolean;
  nodes: Array<{ host: string; port: number }>;
}

/** Standalone workers use node-redis and cluster workers ioredis, so both clients run across processes. */
export async function connect(target: WorkerTarget): Promise<{
  client: unknown;
  incr(key: string): Promise<unknown>;
}> {
  if (target.cluster) {
    const cluster = new Cluster(target.nodes, { lazyConnect: true });
    cluster.on('error', () => {});
    await cluster.connect();
    return { client: cluster, incr: (key) => cluster.incr(key) };
  }
  const node = target.nodes[0] as { host: string; port: number };
  const client = createClient({ url: `redis://${node.host}:${node.port}` });
  client.on('error', () => {});
  await client.connect();
  return { client, incr: (key) => client.incr(key) };
}
