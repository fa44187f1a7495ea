import {
  closeAllClients,
  closeClient,
  connectIoredis,
  connectIoredisCluster,
  connectNodeRedis,
  connectNodeRedisCluster,
  type IoredisClient,
  type IoredisClusterClient,
  type NodeRedisClient,
  type NodeRedisClusterClient,
} from './clients';
import { type RedisCluster, startCluster } from './redis-cluster';
import type { Address } from './redis-command';
import { type RedisServer, startRedis } from './redis-server';

export const redisTargetNames = [
  'memory',
  'node-redis',
  'ioredis',
  'node-redis-cluster',
  'ioredis-cluster',
] as const;
export type RedisTargetName = (typeof redisTargetNames)[number];

interface Target<Name extends RedisTargetName, Client, IsCluster extends boolean> {
  readonly name: Name;
  readonly cluster: IsCluster;
  /** The connected client (undefined for memory); only inside tests and hooks. */
  client(): Client;
  /** The standalone server, or every cluster master, e.g. for redisCommand; [] for memory. */
  masters(): Address[];
  /** FLUSHALL on the server or on every cluster master; nothing for memory. */
  flush(): Promise<void>;
}

export type RedisTarget =
  | Target<'memory', undefined, false>
  | Target<'node-redis', NodeRedisClient, false>
  | Target<'ioredis', IoredisClient, false>
  | Target<'node-redis-cluster', NodeRedisClusterClient, true>
  | Target<'ioredis-cluster', IoredisClusterClient, true>;

/** What useRedisTargets' beforeAll started, shared with the targets it returned. */
interface Started {
  server?: RedisServer;
  cluster?: RedisCluster;
  clients: Clients;
}

interface Clients {
  'node-redis'?: NodeRedisClient;
  ioredis?: IoredisClient;
  'node-redis-cluster'?: NodeRedisClusterClient;
  'ioredis-cluster'?: IoredisClusterClient;
}

/** Waits for every task, then fails with the first failure. */
async function settleAll(tasks: Array<Promise<void> | false>): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

function isTargetName(name: string): name is RedisTargetName {
  return (redisTargetNames as readonly string[]).includes(name);
}

/** Every target, or the ones REDIWARE_TARGETS lists (comma-separated). */
function defaultTargetNames(): RedisTargetName[] {
  const names = (process.env.REDIWARE_TARGETS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) return [...redisTargetNames];
  const unknown = names.filter((name) => !isTargetName(name));
  if (unknown.length > 0) {
    throw new Error(`REDIWARE_TARGETS: unknown ${unknown.join(', ')}; known: ${redisTargetNames.join(', ')}`);
  }
  return names.filter(isTargetName);
}

function ready<T>(name: RedisTargetName, value: T | undefined): T {
  if (value === undefined) {
    throw new Error(`${name}: only available inside tests and hooks, after useRedisTargets() set up`);
  }
  return value;
}

function target(name: RedisTargetName, started: Started): RedisTarget {
  const { clients } = started;
  const server = (): Address[] => [ready(name, started.server)];
  const masters = (): Address[] => ready(name, started.cluster).masters;
  switch (name) {
    case 'memory':
      return { name, cluster: false, client: () => undefined, masters: () => [], flush: async () => {} };
    case 'node-redis': {
      const client = () => ready(name, clients[name]);
      return {
        name,
        cluster: false,
        client,
        masters: server,
        flush: async () => void (await client().flushAll()),
      };
    }
    case 'ioredis': {
      const client = () => ready(name, clients[name]);
      return {
        name,
        cluster: false,
        client,
        masters: server,
        flush: async () => void (await client().flushall()),
      };
    }
    case 'node-redis-cluster': {
      const client = () => ready(name, clients[name]);
      const flush = async (): Promise<void> => {
        const cluster = client();
        await Promise.all(
          cluster.masters.map(async (master) => (await cluster.nodeClient(master)).flushAll()),
        );
      };
      return { name, cluster: true, client, masters, flush };
    }
    case 'ioredis-cluster': {
      const client = () => ready(name, clients[name]);
      const flush = async (): Promise<void> => {
        await Promise.all(
          client()
            .nodes('master')
            .map((node) => node.flushall()),
        );
      };
      return { name, cluster: true, client, masters, flush };
    }
  }
}

/**
 * The Redis targets a conformance suite runs against. Call it at the top of a test file: it registers
 * beforeAll/afterAll hooks that start one standalone server and one cluster for the whole file (each
 * only if a selected target needs it), connect the clients, and tear it all down afterwards.
 *
 *   describe.each(useRedisTargets())('$name', (target) => { ... });
 *
 * Without `names`, every target, or those listed in REDIWARE_TARGETS.
 */
export function useRedisTargets(names: RedisTargetName[] = defaultTargetNames()): RedisTarget[] {
  const started: Started = { clients: {} };
  const { clients } = started;
  const needsServer = names.includes('node-redis') || names.includes('ioredis');
  const needsCluster = names.includes('node-redis-cluster') || names.includes('ioredis-cluster');

  let setUp = false;

  beforeAll(async () => {
    // allSettled, so whatever did start is recorded for afterAll even when something else failed.
    await settleAll([
      needsServer &&
        startRedis().then((server) => {
          started.server = server;
        }),
      needsCluster &&
        startCluster().then((cluster) => {
          started.cluster = cluster;
        }),
    ]);
    const { cluster } = started;
    const url = started.server?.url;
    await settleAll([
      url !== undefined &&
        names.includes('node-redis') &&
        connectNodeRedis(url).then((client) => {
          clients['node-redis'] = client;
        }),
      url !== undefined &&
        names.includes('ioredis') &&
        connectIoredis(url).then((client) => {
          clients.ioredis = client;
        }),
      cluster !== undefined &&
        names.includes('node-redis-cluster') &&
        connectNodeRedisCluster(cluster).then((client) => {
          clients['node-redis-cluster'] = client;
        }),
      cluster !== undefined &&
        names.includes('ioredis-cluster') &&
        connectIoredisCluster(cluster).then((client) => {
          clients['ioredis-cluster'] = client;
        }),
    ]);
    setUp = true;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(clients).map((client) => closeClient(client)));
    // A client whose connect() failed or hung was never handed to us; only the registry knows it.
    if (!setUp) await closeAllClients();
    await Promise.all([started.server?.stop(), started.cluster?.stop()]);
  }, 30_000);

  return names.map((name) => target(name, started));
}
