import {
  type AnyRedisClient,
  closeAllClients,
  connectIoredis,
  connectIoredisCluster,
  connectNodeRedis,
  connectNodeRedisCluster,
  eventually,
  masterOwning,
  type RedisCluster,
  type RedisServer,
  redisCommand,
  startCluster,
  startRedis,
} from '@rediware/testing';
import { createLocker } from '../src';

let server: RedisServer;
let cluster: RedisCluster;

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
}, 60_000);
afterAll(async () => {
  await closeAllClients();
  await Promise.all([server?.stop(), cluster?.stop()]);
});

const key = 'account:1';
const holderKey = `rw:lock:{${key}}:lock`;

interface Setup {
  connect(): Promise<AnyRedisClient>;
  /** Every master that holds data. */
  masters(): RedisServer[];
  /** The server that holds the key's slot, restarted without persistence: its data is gone. */
  owner(): Promise<RedisServer>;
}

const standalone: Omit<Setup, 'connect'> = {
  masters: () => [server],
  owner: async () => server,
};
const clustered: Omit<Setup, 'connect'> = {
  masters: () => cluster.masters,
  owner: () => masterOwning(cluster, holderKey),
};

describe.each<[string, Setup]>([
  ['node-redis', { ...standalone, connect: () => connectNodeRedis(server.url) }],
  ['ioredis', { ...standalone, connect: () => connectIoredis(server.url) }],
  ['node-redis-cluster', { ...clustered, connect: () => connectNodeRedisCluster(cluster) }],
  ['ioredis-cluster', { ...clustered, connect: () => connectIoredisCluster(cluster) }],
])('fencing tokens after Redis lost its data, on %s', (_, setup) => {
  it('never repeat or go backwards across FLUSHALL and a restart without persistence', async () => {
    const locker = createLocker({ redis: await setup.connect(), timeout: '2s' });
    const tokens: number[] = [];
    // After a restart the client reconnects on its own schedule: retry until the lock is taken.
    const take = (limit = 1) =>
      eventually(async () => {
        const lock = await locker.acquire(key, { ttl: '10s', wait: '15s', limit });
        tokens.push(lock.fencingToken);
        await lock.release();
      }, 20_000);
    try {
      await take();
      await take();
      await Promise.all(setup.masters().map((master) => redisCommand(master, ['FLUSHALL'])));
      // A semaphore takes the script's other path, which creates a missing counter too.
      await take(2);
      await take();
      const owner = await setup.owner();
      await owner.restart();
      await take();
      await take(2);
      // The counter lost to an eviction, alone.
      await Promise.all(
        setup.masters().map(async (master) => {
          // A handful of keys: one SCAN call sees them all.
          const [, names] = (await redisCommand(master, [
            'SCAN',
            '0',
            'MATCH',
            'rw:lock:*:slot-fence',
            'COUNT',
            '10000',
          ])) as [string, string[]];
          if (names.length > 0) await redisCommand(master, ['DEL', ...names]);
        }),
      );
      await take();
      expect(tokens).toHaveLength(7);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);
      // Exact JavaScript integers.
      for (const token of tokens) expect(Number.isSafeInteger(token)).toBe(true);
    } finally {
      await locker.close();
    }
  }, 60_000);
});
