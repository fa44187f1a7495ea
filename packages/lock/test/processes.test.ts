import { join } from 'node:path';
import { killWorkers, redisCommand, spawnWorker, useRedisTargets } from '@rediware/testing';
import { createLocker, LockBusyError } from '../src';

const packageDir = join(__dirname, '..');

const processes = 4;
const acquisitions = 10_000;
const keys = ['alpha', 'beta', 'gamma'];

describe.each(useRedisTargets(['node-redis', 'ioredis-cluster']))('several processes on $name', (target) => {
  beforeEach(() => target.flush());
  afterEach(killWorkers);

  const workerTarget = () => ({
    cluster: target.cluster,
    nodes: target.masters().map(({ host, port }) => ({ host, port })),
  });

  it(`keeps ${acquisitions} contended acquisitions from ${processes} processes exclusive, in fencing order`, async () => {
    const workers = Array.from({ length: processes }, () =>
      spawnWorker(packageDir, 'contender', workerTarget(), {
        RW_ITERATIONS: String(acquisitions / processes),
        RW_CONCURRENCY: '4',
        RW_KEYS: keys.join(','),
      }),
    );
    const reports = (await Promise.all(workers.map((worker) => worker.firstLine))) as Array<{
      done: number;
      overlaps: number;
      backwards: number;
    }>;
    expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual(workers.map(() => 0));
    expect(reports.reduce((sum, report) => sum + report.done, 0)).toBe(acquisitions);
    expect(reports.map((report) => report.overlaps)).toEqual(workers.map(() => 0));
    expect(reports.map((report) => report.backwards)).toEqual(workers.map(() => 0));
    // The detector ran in every critical section: the counts add up in Redis.
    const counts = await Promise.all(
      keys.map(async (key) => {
        for (const node of target.masters()) {
          const count = await redisCommand(node, ['GET', `detect:{${key}}:count`]).catch(() => null);
          if (count !== null) return Number(count);
        }
        return 0;
      }),
    );
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(acquisitions);
  }, 120_000);

  it('hands the lock of a holder killed with SIGKILL to the next acquirer after its ttl, with a larger token', async () => {
    const holder = spawnWorker(packageDir, 'holder', workerTarget(), { RW_KEY: 'crash', RW_TTL: '1500' });
    const { fencingToken } = (await holder.firstLine) as { fencingToken: number };
    const locker = createLocker({ redis: target.client(), retryInterval: '30s' });
    try {
      holder.child.kill('SIGKILL');
      await holder.exited;
      // Killed, not released: the lock is still there until its ttl runs out.
      await expect(locker.acquire('crash', { ttl: '5s' })).rejects.toBeInstanceOf(LockBusyError);
      const next = await locker.acquire('crash', { ttl: '5s', wait: '10s' });
      expect(next.fencingToken).toBeGreaterThan(fencingToken);
      await next.release();
    } finally {
      await locker.close();
    }
  }, 30_000);
});
