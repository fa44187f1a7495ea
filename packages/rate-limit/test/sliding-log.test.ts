import { commandCalls, redisCommand, scriptsRun, useRedisTargets } from '@rediware/testing';
import { resetCommandStats, useRedisLimiters } from './redis-limiters';

const windowMs = 60_000;

/** The sliding log in Redis: what it reads per request, and the reset it reports. */
describe.each(useRedisTargets(['node-redis', 'ioredis-cluster']))('sliding log on $name', (target) => {
  const limiters = useRedisLimiters(target);
  const limiter = (limit: number) => limiters('sliding-log', limit, windowMs);

  it('an admitted request reads no member back; a batch reads the clock, trims, counts and sets the expiry once', async () => {
    const rl = limiter(100);
    await rl.consume('warm');
    await resetCommandStats(target);
    const results = await Promise.all(Array.from({ length: 20 }, () => rl.consume('hot')));
    expect(results.every((r) => r.allowed && r.resetMs === windowMs)).toBe(true);
    const scripts = await scriptsRun(target.masters());
    const calls = await commandCalls(target.masters());
    expect(calls.get('zrange')).toBeUndefined();
    expect(calls.get('zadd')).toBe(20);
    expect(scripts).toBeLessThan(20);
    for (const once of ['time', 'zremrangebyscore', 'zcard', 'pexpire'])
      expect(calls.get(once)).toBe(scripts);
    // Every admission is logged: the next 80 fit, the 81st does not.
    const rest = await Promise.all(Array.from({ length: 81 }, () => rl.consume('hot')));
    expect(rest.filter((r) => r.allowed)).toHaveLength(80);
    // Set once per call, the expiry is still on the key.
    const ttls: number[] = [];
    for (const master of target.masters()) {
      const [, keys] = (await redisCommand(master, [
        'SCAN',
        '0',
        'MATCH',
        'rwtest:rl:*hot*',
        'COUNT',
        '1000',
      ])) as [string, string[]];
      for (const key of keys) ttls.push(Number(await redisCommand(master, ['PTTL', key])));
    }
    expect(ttls).toHaveLength(1);
    expect(ttls[0]).toBeGreaterThan(windowMs - 5_000);
  });

  it('a peek or a rejection reports the time until the newest member leaves', async () => {
    const rl = limiter(2);
    await rl.consume('k');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const peek = await rl.peek('k');
    expect(peek.remaining).toBe(1);
    expect(peek.resetMs).toBeLessThanOrEqual(windowMs - 30 + 1);
    expect(peek.resetMs).toBeGreaterThan(windowMs - 5_000);
    await rl.consume('k');
    const rejected = await rl.consume('k');
    expect(rejected.allowed).toBe(false);
    // The newest member is the second consume's: its window has barely begun.
    expect(rejected.resetMs).toBeGreaterThan(peek.resetMs);
    expect(rejected.resetMs).toBeLessThanOrEqual(windowMs);
    expect(rejected.retryAfterMs).toBeLessThan(rejected.resetMs);
  });

  it('a refund reports the reset of the members left, and 0 when none is', async () => {
    const rl = limiter(5);
    await rl.consume('k');
    await new Promise((resolve) => setTimeout(resolve, 30));
    await rl.consume('k');
    const refunded = await rl.refund('k');
    expect(refunded.remaining).toBe(4);
    // The first consume's member is the newest left: 30 ms of its window are gone.
    expect(refunded.resetMs).toBeLessThanOrEqual(windowMs - 30 + 1);
    expect(refunded.resetMs).toBeGreaterThan(windowMs - 5_000);
    const empty = await rl.refund('k');
    expect(empty).toMatchObject({ remaining: 5, resetMs: 0 });
  });
});
