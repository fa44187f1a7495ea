import {
  type RedisCluster,
  type RedisServer,
  redisCommand,
  startCluster,
  startRedis,
} from '@rediware/testing';
import { startWorker } from '../helpers/worker-process';

let server: RedisServer;
let cluster: RedisCluster;

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
}, 60_000);
afterAll(() => Promise.all([server.stop(), cluster.stop()]));

interface LoadManyReply {
  loaded: string[];
  values: { key: string; loadedBy: number }[];
}

/** Two processes, four overlapping wrapMany calls each: every key is loaded once in all. */
async function loadsEachKeyOnce(address: string | { host: string; port: number }[]) {
  const workers = await Promise.all([startWorker(address), startWorker(address)]);
  const keys = Array.from({ length: 40 }, (_, i) => `row:${i}`);
  const batches = [keys.slice(0, 25), keys.slice(15), keys.slice(5, 35), [...keys].reverse()];
  try {
    // The loader is slow enough that every call overlaps every other, in both processes.
    const replies = await Promise.all(
      workers.flatMap((worker) =>
        batches.map((batch) => worker.call<LoadManyReply>({ op: 'loadMany', keys: batch, loadMs: 300 })),
      ),
    );
    expect(replies.flatMap((reply) => reply.loaded).sort()).toEqual([...keys].sort());
    const owner = new Map<string, number>();
    replies.forEach((reply, i) => {
      expect(reply.values.map((value) => value.key)).toEqual(batches[i % batches.length]);
      for (const value of reply.values) {
        expect(owner.get(value.key) ?? value.loadedBy).toBe(value.loadedBy);
        owner.set(value.key, value.loadedBy);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

describe('wrapMany across OS processes', () => {
  it('2 processes load each key once (standalone)', async () => {
    await redisCommand(server, ['FLUSHALL']);
    await loadsEachKeyOnce(server.url);
  }, 60_000);

  it('2 processes load each key once (cluster)', async () => {
    await Promise.all(cluster.masters.map((master) => redisCommand(master, ['FLUSHALL'])));
    await loadsEachKeyOnce(cluster.masters.map(({ host, port }) => ({ host, port })));
  }, 60_000);
});
