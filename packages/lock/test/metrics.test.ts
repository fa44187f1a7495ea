import { useRedisTargets, waitFor } from '@rediware/testing';
import { createLocker, LockBusyError, LockTimeoutError } from '../src';

describe.each(useRedisTargets(['memory', 'node-redis', 'ioredis']))('lock metrics on $name', (target) => {
  beforeEach(() => target.flush());

  it('counts acquisitions, waits, busy refusals, timeouts and lost locks, and the wait time', async () => {
    const locker = createLocker({ redis: target.client(), timeout: '2s' });
    const held = await locker.acquire('job', { ttl: '10s' });
    await expect(locker.acquire('job', { ttl: '10s' })).rejects.toBeInstanceOf(LockBusyError);
    await expect(locker.acquire('job', { ttl: '10s', wait: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    // Many waiters for one lock: each is counted once as waited, then as acquired in turn.
    const waiters = Array.from({ length: 5 }, () =>
      locker.withLock('job', { ttl: '10s', wait: '10s' }, async () => {}),
    );
    await waitFor(() => locker.metrics().waited === 6);
    await held.release();
    await Promise.all(waiters);
    const lost = await locker.acquire('short', { ttl: 100, autoExtend: false });
    await waitFor(() => lost.signal.aborted);
    const totals = locker.metrics();
    expect(totals).toMatchObject({ acquired: 7, waited: 6, busy: 1, timeouts: 1, lost: 1 });
    expect(totals.wait.count).toBe(7);
    expect(totals.wait.sumSeconds).toBeGreaterThan(0);
    await locker.close();
  });
});
