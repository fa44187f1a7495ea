import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findExecutable } from './find-executable';
import { pickFreeClusterPort } from './free-port';
import { redisText } from './redis-command';
import { type RedisServer, spawnRedis } from './redis-server';
import { createTempDir } from './temp-dir';

export interface ClusterNode {
  host: string;
  port: number;
}

export interface RedisCluster {
  /** Every node, masters first. */
  nodes: ClusterNode[];
  masters: RedisServer[];
  replicas: RedisServer[];
  /** For node-redis createCluster({ rootNodes }). */
  rootNodes: Array<{ url: string }>;
  /** Stops every node and removes the cluster's files. Idempotent. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** At least 3 (redis-cli refuses fewer); default 3. */
  masters?: number;
  /** Default 0. */
  replicasPerMaster?: number;
}

const convergeTimeoutMs = 20_000;

/** What one node believes about the cluster, or why it is not ready yet. */
async function nodeView(
  node: RedisServer,
): Promise<{ ready: true; replicaPorts: number[] } | { ready: false; why: string }> {
  const info = await redisText(node, ['CLUSTER', 'INFO']);
  if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) {
    return { ready: false, why: `${node.port} CLUSTER INFO:\n${info}` };
  }
  const lines = (await redisText(node, ['CLUSTER', 'NODES'])).trim().split('\n');
  const replicaPorts: number[] = [];
  for (const line of lines) {
    // <id> <ip:port@bus> <flags> <master> <ping-sent> <pong-recv> <epoch> <link-state> <slots...>
    const [, address = '', flags = '', , , , , linkState = ''] = line.split(' ');
    if (/fail|handshake|noaddr/.test(flags) || linkState !== 'connected') {
      return { ready: false, why: `${node.port} CLUSTER NODES:\n${lines.join('\n')}` };
    }
    if (flags.includes('slave')) replicaPorts.push(Number(address.replace(/^.*:(\d+)@.*$/, '$1')));
  }
  return { ready: true, replicaPorts: replicaPorts.sort((a, b) => a - b) };
}

export async function replicationUp(node: RedisServer): Promise<boolean> {
  return (await redisText(node, ['INFO', 'replication'])).includes('master_link_status:up');
}

/**
 * Waits until every node sees every node connected, all slots served and the same replicas, and every
 * replica has synced, so a client connecting right away gets a complete, stable slot map.
 */
async function waitForConvergence(servers: RedisServer[], replicaCount: number): Promise<Set<number>> {
  const deadline = Date.now() + convergeTimeoutMs;
  let lastWhy = '';
  for (;;) {
    const views = await Promise.all(
      servers.map((server) =>
        nodeView(server).catch((error: unknown) => ({
          ready: false as const,
          why: `${server.port}: ${error}`,
        })),
      ),
    );
    const replicaSets = views.map((view) => (view.ready ? view.replicaPorts.join(',') : undefined));
    const first = views[0];
    if (first?.ready && first.replicaPorts.length === replicaCount && new Set(replicaSets).size === 1) {
      const replicaPorts = new Set(first.replicaPorts);
      const replicas = servers.filter((server) => replicaPorts.has(server.port));
      if ((await Promise.all(replicas.map(replicationUp))).every(Boolean)) return replicaPorts;
      lastWhy = 'replicas have not finished syncing';
    } else {
      lastWhy = views.map((view) => (view.ready ? '' : view.why)).join('\n') || 'nodes disagree on replicas';
    }
    if (Date.now() > deadline) {
      throw new Error(`Redis Cluster did not converge within ${convergeTimeoutMs} ms:\n${lastWhy}`);
    }
    await sleep(50);
  }
}

async function createCluster(
  redisCli: string,
  servers: RedisServer[],
  replicasPerMaster: number,
): Promise<void> {
  const addresses = servers.map((server) => `${server.host}:${server.port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster)];
  try {
    await promisify(execFile)(redisCli, [...args, '--cluster-yes'], { timeout: 30_000 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`redis-cli --cluster create failed: ${String(error)}\n${stdout}${stderr}`);
  }
}

/** Spawns a Redis Cluster on loopback ports and waits until it is fully formed. */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisCluster> {
  const masterCount = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 0;
  if (masterCount < 3) throw new Error(`a Redis Cluster needs at least 3 masters, got ${masterCount}`);
  const redisCli = findExecutable('redis-cli');
  if (findExecutable('redis-server') === undefined || redisCli === undefined) {
    // REDIS_URL can't stand in for a cluster, so unlike startRedis() there is no alternative to offer.
    throw new Error(
      'redis-server and redis-cli must be on PATH to start a Redis Cluster: install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)',
    );
  }
  const dir = await createTempDir('rediware-cluster-');
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    await dir.remove();
  };
  try {
    const spawned = await Promise.allSettled(
      Array.from({ length: masterCount * (1 + replicasPerMaster) }, () =>
        spawnRedis({
          pickPort: pickFreeClusterPort,
          // The node config lives outside the node's own dir, so a node survives stop() + restart().
          args: (port) => [
            ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir.path, `nodes-${port}.conf`)],
            ...['--cluster-node-timeout', '2000', '--repl-diskless-sync-delay', '0'],
          ],
        }),
      ),
    );
    for (const result of spawned) if (result.status === 'fulfilled') servers.push(result.value);
    const failure = spawned.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;

    await createCluster(redisCli, servers, replicasPerMaster);
    const replicaPorts = await waitForConvergence(servers, masterCount * replicasPerMaster);
    const masters = servers.filter((server) => !replicaPorts.has(server.port));
    const replicas = servers.filter((server) => replicaPorts.has(server.port));
    let stopping: Promise<void> | undefined;
    return {
      nodes: [...masters, ...replicas].map(({ host, port }) => ({ host, port })),
      masters,
      replicas,
      rootNodes: masters.map(({ url }) => ({ url })),
      stop: () => {
        stopping ??= stop();
        return stopping;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
