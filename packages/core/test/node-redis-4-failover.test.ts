import { throughFailover, useCleanup, useFailoverCluster } from '@rediware/testing';
import { createCluster } from 'redis-v4';
import { createBackend, createKeyspace, isRedisOutage } from '../src';
import { counterScript } from './test-scripts';

const failover = useFailoverCluster();
const defer = useCleanup();
const keyspace = createKeyspace('rwtest:', 'v4-failover');
const timeout = 300;

// node-redis 4 keeps its cluster's slot map private and re-reads it only on a MOVED reply; it also
// ignores the deadline's AbortSignal, so a command to a dead master never settles. Without the
// driver provoking a MOVED at a deadline, it would send to the dead master forever.
it('a node-redis 4 cluster client finds the promoted replica after its master dies', async () => {
  const client = createCluster({ rootNodes: failover.cluster().rootNodes });
  client.on('error', () => {});
  await client.connect();
  const backend = createBackend({ redis: client, packageName: 'core-test', timeout });
  let restoreMaster: (() => Promise<void>) | undefined;
  // The old master comes back only once the client is closed (a client that sees it holds jest open).
  defer(async () => {
    await backend.close();
    if (client.isOpen) await client.disconnect();
    await restoreMaster?.();
  });
  const key = keyspace.key('v4', 'count');
  expect(await backend.run(counterScript, [key], [1, 3_600_000])).toEqual([1, expect.any(Number)]);

  const failed = await throughFailover(failover.cluster(), key, {
    probe: () => backend.run(counterScript, [key], [1, 3_600_000]),
    recovered: ({ value }) => value !== undefined,
  });
  restoreMaster = failed.restoreMaster;
  const last = failed.outcomes.at(-1);
  expect(last?.value?.[0]).toBeGreaterThan(1);
  for (const { error, elapsed } of failed.outcomes.slice(0, -1)) {
    expect(isRedisOutage(error)).toBe(true);
    expect(elapsed).toBeLessThan(timeout + 1_000);
  }
}, 60_000);
