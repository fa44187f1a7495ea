import { Cluster } from 'ioredis';
import { createClient } from 'redis';

export interface WorkerTarget {
  cluster: boolean;
  nodes: Array<{ host: string; port: number }>;
}

/** A plain command for the overlap detector, whatever the client. */
export type Send = (args: string[]) => Promise<unknown>;

/** Standalone workers use node-redis and cluster workers ioredis, so both clients run under load. */
export async function connect(
  target: WorkerTarget,
): Promise<{ client: unknown; send: Send; close(): Promise<void> }> {
  if (target.cluster) {
    const cluster = new Cluster(target.nodes, { lazyConnect: true });
    cluster.on('error', () => {});
    await cluster.connect();
    return {
      client: cluster,
      send: ([command, ...rest]) => cluster.call(command as string, ...rest),
      close: async () => cluster.disconnect(),
    };
  }
  const node = target.nodes[0] as { host: string; port: number };
  const client = createClient({ url: `redis://${node.host}:${node.port}` });
  client.on('error', () => {});
  await client.connect();
  return { client, send: (args) => client.sendCommand(args), close: async () => client.destroy() };
}
