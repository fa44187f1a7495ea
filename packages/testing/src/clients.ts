import type { Socket } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import {
  createClient,
  createCluster,
  type RedisClientType,
  type RedisClusterType,
  type RedisDefaultModules,
} from 'redis';
import type { RedisCluster } from './redis-cluster';

// Without explicit type arguments node-redis types a client with every RESP version and type mapping
// it might have been given, a type too unwieldy to name or pass around. These are the defaults:
// RESP2, the default modules, no extra modules, scripts, functions or type mapping.
type None = Record<never, never>;
export type NodeRedisClient = RedisClientType<RedisDefaultModules, None, None, 2, None>;
export type NodeRedisClusterClient = RedisClusterType<RedisDefaultModules, None, None, 2, None>;
export type IoredisClient = Redis;
export type IoredisClusterClient = Cluster;
export type AnyRedisClient = NodeRedisClient | NodeRedisClusterClient | IoredisClient | IoredisClusterClient;

const closers = new Map<AnyRedisClient, () => Promise<void>>();

/**
 * ioredis' disconnect() arms a `disconnectTimeout` timer (2 s by default) that only a 'close' of
 * the socket clears; on a socket that had already closed (a stopped server) it runs to the end
 * and keeps jest from exiting for 2 s. A short one keeps that under jest's one-second exit check.
 */
const disconnectTimeout = 100;

// Tests kill and stall servers on purpose; an unhandled 'error' event would crash the test process.
const ignoreErrors = (): void => {};

/**
 * Disconnects and waits for the socket to close, destroying it if a silent peer keeps it half-open.
 * Waits on the socket rather than for 'end': disconnecting while reconnecting never emits 'end'.
 */
async function endIoredis(client: Redis): Promise<void> {
  const socket: Socket | undefined = client.stream;
  client.disconnect();
  if (socket === undefined || socket.destroyed) return;
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const timer = setTimeout(() => socket.destroy(), 1_000);
  await closed;
  clearTimeout(timer);
}

async function endIoredisCluster(cluster: Cluster): Promise<void> {
  const nodes = cluster.nodes();
  cluster.disconnect();
  await Promise.all(nodes.map(endIoredis));
}

/** A node-redis client or cluster of any version: v5+ has destroy(), v4 only disconnect(). */
interface ClosableNodeRedis {
  readonly isOpen: boolean;
  destroy?(): void;
  disconnect(): Promise<unknown>;
}

/**
 * Drops the sockets at once; nothing if the client is already closed. v5+ destroy() throws on a
 * closed client; node-redis 4 (RW_NODE_REDIS=4) has no destroy(): its disconnect() is the immediate close.
 */
export async function destroyNodeRedis(client: ClosableNodeRedis): Promise<void> {
  if (!client.isOpen) return;
  if (typeof client.destroy === 'function') client.destroy();
  else await client.disconnect().catch(() => {});
}

/**
 * RW_RESP=3 (the client matrix in .ci/run): node-redis clients speak RESP3 with node-redis's
 * client-side cache on, as a user who turns that cache on configures them (node-redis 5+). The
 * clients stay typed as RESP2 ones: the packages take either and the tests read no replies' types.
 */
const nodeRedisProtocol = (): object =>
  process.env.RW_RESP === '3' ? { RESP: 3, clientSideCache: { ttl: 0, maxEntries: 1_000 } } : {};

/** Remembered before connecting, so a client that never connects is still cleaned up. */
function remember(client: AnyRedisClient, close: () => Promise<void>): void {
  closers.set(client, close);
}

export async function connectNodeRedis(url: string): Promise<NodeRedisClient> {
  const client = createClient<None, None, None, 2, None>({ url, ...nodeRedisProtocol() }).on(
    'error',
    ignoreErrors,
  );
  remember(client, () => destroyNodeRedis(client));
  await client.connect();
  return client;
}

export async function connectIoredis(url: string): Promise<IoredisClient> {
  const client = new Redis(url, { lazyConnect: true, disconnectTimeout }).on('error', ignoreErrors);
  remember(client, () => endIoredis(client));
  await client.connect();
  return client;
}

export async function connectNodeRedisCluster(cluster: RedisCluster): Promise<NodeRedisClusterClient> {
  const client = createCluster<None, None, None, 2, None>({
    rootNodes: cluster.rootNodes,
    ...nodeRedisProtocol(),
  });
  client.on('error', ignoreErrors);
  remember(client, () => destroyNodeRedis(client));
  await client.connect();
  return client;
}

export async function connectIoredisCluster(cluster: RedisCluster): Promise<IoredisClusterClient> {
  const client = new Cluster(cluster.nodes, {
    lazyConnect: true,
    redisOptions: { disconnectTimeout },
  }).on('error', ignoreErrors);
  remember(client, () => endIoredisCluster(client));
  await client.connect();
  return client;
}

/** Closes one client made here without waiting for the server, which may be dead or stalled. */
export async function closeClient(client: AnyRedisClient): Promise<void> {
  const close = closers.get(client);
  closers.delete(client);
  await close?.();
}

/** Closes every client made here and not closed yet. */
export async function closeAllClients(): Promise<void> {
  await Promise.all([...closers.keys()].map(closeClient));
}
