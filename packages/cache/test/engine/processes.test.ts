import {
  closeClient,
  connectNodeRedis,
  type RedisCluster,
  type RedisServer,
  redisCommand,
  startCluster,
  startRedis,
  waitFor,
} from '@rediware/testing';
import { createCache } from '../../src';
import { type CacheWorker, startWorker } from '../helpers/worker-process';

let server: RedisServer;
let cluster: RedisCluster;

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
}, 60_000);
afterAll(() => Promise.all([server.stop(), cluster.stop()]));

interface WrapReply {
  loaderCalls: number;
  values: { loadedBy: number }[];
}

async function singleFlightAcrossTwoProcesses(address: string | { host: string; port: number }[]) {
  const workers = await Promise.all([startWorker(address), startWorker(address)]);
  try {
    // 100 concurrent calls over 2 processes; the loader is slow enough that both overlap.
    const replies = await Promise.all(
      workers.map((worker) => worker.call<WrapReply>({ op: 'wrapMany', key: 'hot', count: 50, loadMs: 500 })),
    );
    const loaderCalls = replies.reduce((sum, reply) => sum + reply.loaderCalls, 0);
    expect(loaderCalls).toBe(1);
    const loadedBy = new Set(replies.flatMap((reply) => reply.values.map((value) => value.loadedBy)));
    expect(loadedBy.size).toBe(1);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

describe('across OS processes', () => {
  it('100 concurrent wrap calls over 2 processes run the loader once (standalone)', async () => {
    await redisCommand(server, ['FLUSHALL']);
    await singleFlightAcrossTwoProcesses(server.url);
  }, 60_000);

  it('100 concurrent wrap calls over 2 processes run the loader once (cluster)', async () => {
    await Promise.all(cluster.masters.map((master) => redisCommand(master, ['FLUSHALL'])));
    await singleFlightAcrossTwoProcesses(cluster.masters.map(({ host, port }) => ({ host, port })));
  }, 60_000);

  it("another process's set, delete and invalidation evict this process's L1", async () => {
    await redisCommand(server, ['FLUSHALL']);
    const worker: CacheWorker = await startWorker(server.url, { l1: true });
    const redis = await connectNodeRedis(server.url);
    const cache = createCache({ redis, ttl: '1m', prefix: 'rwproc:' });
    try {
      await cache.set('k', 'v1', { tags: ['t'] });
      expect(await worker.call({ op: 'get', key: 'k' })).toBe('v1');
      await redisCommand(server, ['FLUSHALL']);
      // Redis is empty: the worker still answers from its L1.
      expect(await worker.call({ op: 'get', key: 'k' })).toBe('v1');
      await cache.set('k', 'v2', { tags: ['t'] });
      await waitFor(async () => (await worker.call({ op: 'get', key: 'k' })) === 'v2');
      await redisCommand(server, ['FLUSHALL']);
      expect(await worker.call({ op: 'get', key: 'k' })).toBe('v2');
      await cache.delete('k');
      await waitFor(async () => (await worker.call({ op: 'get', key: 'k' })) === undefined);
      await cache.set('k', 'v3', { tags: ['t'] });
      await waitFor(async () => (await worker.call({ op: 'get', key: 'k' })) === 'v3');
      await cache.invalidate({ tags: ['t'] });
      await waitFor(async () => (await worker.call({ op: 'get', key: 'k' })) === undefined);
    } finally {
      await worker.stop();
      await cache.close();
      await closeClient(redis);
    }
  }, 60_000);
});
