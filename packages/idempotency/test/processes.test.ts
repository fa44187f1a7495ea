import { join } from 'node:path';
import { killWorkers, redisCommand, spawnWorker, useRedisTargets } from '@rediware/testing';

const packageDir = join(__dirname, '..');

const processes = 4;
const retries = 50;

describe.each(useRedisTargets(['node-redis', 'ioredis-cluster']))('several processes on $name', (target) => {
  beforeEach(() => target.flush());
  afterEach(killWorkers);

  it(`runs the handler once for ${retries} concurrent retries of one key over ${processes} processes`, async () => {
    const nodes = target.masters().map(({ host, port }) => ({ host, port }));
    const workers = Array.from({ length: processes }, () =>
      spawnWorker(packageDir, 'payment-server', { cluster: target.cluster, nodes }, {}),
    );
    const urls = (
      (await Promise.all(workers.map((worker) => worker.firstLine))) as Array<{ url: string }>
    ).map(({ url }) => url);
    const replies = await Promise.all(
      Array.from({ length: retries }, (_, i) =>
        fetch(`${urls[i % processes]}/payments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': '"order-42"' },
          body: JSON.stringify({ amount: 10 }),
        }),
      ),
    );
    const bodies = await Promise.all(replies.map((reply) => reply.text()));
    expect(replies.map((reply) => reply.status)).toEqual(Array(retries).fill(201));
    expect(new Set(bodies).size).toBe(1);
    let runs = 0;
    for (const node of target.masters()) {
      runs += Number((await redisCommand(node, ['GET', '{payments}:runs']).catch(() => null)) ?? 0);
    }
    expect(runs).toBe(1);
  }, 60_000);
});
