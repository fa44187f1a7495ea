import { type RedisCluster, replicationUp } from './redis-cluster';
import { redisCommand, redisText } from './redis-command';
import type { RedisServer } from './redis-server';
import { type Timed, timed, waitFor } from './waiting';

/** The node now serving the slot of `key` (a promoted replica after a failover), asked of the cluster. */
export async function masterOwning(cluster: RedisCluster, key: string): Promise<RedisServer> {
  const servers = [...cluster.masters, ...cluster.replicas];
  for (const server of servers) {
    try {
      const slot = Number(await redisCommand(server, ['CLUSTER', 'KEYSLOT', key]));
      const ranges = (await redisCommand(server, ['CLUSTER', 'SLOTS'])) as Array<
        [number, number, [string, number]]
      >;
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      const owner = servers.find((candidate) => candidate.port === Number(range?.[2][1]));
      if (owner !== undefined) return owner;
    } catch {
      // A stopped node: ask the next one.
    }
  }
  throw new Error(`no node of the cluster serves the slot of ${key}`);
}

/** True once every replica of `master` has acknowledged every write the master has. */
async function replicasCaughtUp(master: RedisServer): Promise<boolean> {
  const info = await redisText(master, ['INFO', 'replication']);
  const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
  const replicas = [...info.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((match) => match[1]);
  return replicas.length > 0 && replicas.every((replicaOffset) => replicaOffset === offset);
}

export interface FailoverOptions<T> {
  /** One request or call of the plugin under test; it runs back to back through the failover. */
  probe(): Promise<T>;
  /** True once a probe's outcome shows the promoted replica serving again. */
  recovered(outcome: Timed<T>): boolean;
  /** Only stops a broken test from hanging; never a timing assertion. Default 30 s. */
  timeoutMs?: number;
}

export interface Failover<T> {
  /** Every probe's outcome and duration, in order, the recovering one last. */
  outcomes: Array<Timed<T>>;
  /**
   * Restarts the killed master and waits until it has synced as the new master's replica, so the
   * cluster can fail over again. Call it after closing the clients: a node-redis cluster client
   * keeps reconnecting to the old master's address, and once it is back holds jest open.
   */
  restoreMaster(): Promise<void>;
}

/**
 * Waits until the replicas of the master serving `key`'s slot have all its writes, kills that
 * master, and runs `probe` back to back until `recovered` holds (its replica promoted, the client
 * on the new slot map).
 */
export async function throughFailover<T>(
  cluster: RedisCluster,
  key: string,
  options: FailoverOptions<T>,
): Promise<Failover<T>> {
  const master = await masterOwning(cluster, key);
  await waitFor(() => replicasCaughtUp(master), 10_000);
  await master.kill();
  const restoreMaster = async (): Promise<void> => {
    await master.restart();
    await waitFor(() => replicationUp(master).catch(() => false), 20_000);
  };
  const outcomes: Array<Timed<T>> = [];
  try {
    await waitFor(async () => {
      const outcome = await timed(options.probe());
      outcomes.push(outcome);
      return options.recovered(outcome);
    }, options.timeoutMs ?? 30_000);
  } catch (error) {
    await restoreMaster();
    throw error;
  }
  return { outcomes, restoreMaster };
}
