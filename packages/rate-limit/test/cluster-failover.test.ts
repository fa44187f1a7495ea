import type { FailureEvent } from '@rediware/core';
import { closeAllClients, throughFailover, useCleanup, useFailoverCluster } from '@rediware/testing';
import { createRateLimiter } from '../src';

const failover = useFailoverCluster();
const defer = useCleanup();

describe.each(failover.clients)('rate limit through a Redis Cluster failover with %s', (_, connect) => {
  it('keeps answering (fails open) while a master dies and its replica takes over, then limits again', async () => {
    defer(closeAllClients);
    const limiter = createRateLimiter({
      redis: await connect(),
      limit: 3,
      window: '1h',
      timeout: 300,
      blockCache: false,
    });
    defer(() => limiter.close());
    const failures: FailureEvent[] = [];
    limiter.on('failure', (event) => failures.push(event));
    const key = `failover-${_}`;
    await limiter.consume(key);
    // The limiter's key for `key` lives in this slot: kill the master serving it.
    const { outcomes, restoreMaster } = await throughFailover(failover.cluster(), `{${key}}`, {
      probe: () => limiter.consume(key),
      // Once the replica is promoted the limit applies again: at most 3 admissions per hour.
      recovered: ({ value }) => value?.allowed === false,
    });
    defer(restoreMaster);
    for (const { value, error, elapsed } of outcomes.slice(0, -1)) {
      expect(error).toBeUndefined();
      expect(value?.allowed).toBe(true);
      // No call waits much past its deadline, whatever the cluster is going through.
      expect(elapsed).toBeLessThan(300 + 1_000);
    }
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((failure) => failure.failedOpen)).toBe(true);
  }, 60_000);
});
