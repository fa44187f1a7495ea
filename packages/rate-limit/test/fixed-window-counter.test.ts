import { useRedisTargets } from '@rediware/testing';
import type { Redis } from 'ioredis';
import { createRateLimiter, type RateLimiter } from '../src';

const hour = 3_600_000;

/** The fixed window's counter as Redis holds it: a number that expires at the window's end. */
describe.each(useRedisTargets(['ioredis']))('fixed-window counter on $name', (target) => {
  let rl: RateLimiter;
  const redis = () => target.client() as Redis;
  beforeEach(async () => {
    await target.flush();
    rl = createRateLimiter({
      redis: redis(),
      prefix: 'rwtest:',
      algorithm: 'fixed-window',
      limit: 3,
      window: '1h',
      blockCache: false,
    });
  });
  afterEach(() => rl.close());

  async function counterKey(): Promise<string> {
    const [, keys] = await redis().scan('0', 'MATCH', 'rwtest:*', 'COUNT', 100);
    expect(keys).toHaveLength(1);
    return keys[0] as string;
  }
  async function windowStart(): Promise<number> {
    const [seconds, micros] = await redis().time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    return now - (now % hour);
  }

  it('is an integer counted in place, expiring when the window ends', async () => {
    await rl.consume('a');
    const key = await counterKey();
    expect(await redis().get(key)).toBe('1');
    const untilEnd = (await windowStart()) + hour - Date.now();
    const ttl = await redis().pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(untilEnd + 50);
    await rl.consume('a');
    expect(await redis().get(key)).toBe('2');
    // The second request kept the first one's expiry: the window does not move.
    expect(await redis().pttl(key)).toBeLessThanOrEqual(ttl);
    expect((await rl.consume('a', 2)).allowed).toBe(false);
    expect(await redis().get(key)).toBe('2');
  });

  it('counts fractional costs', async () => {
    await rl.consume('a');
    expect(await rl.consume('a', 0.5)).toMatchObject({ allowed: true, remaining: 1 });
    const key = await counterKey();
    expect(Number(await redis().get(key))).toBe(1.5);
    expect(await rl.consume('a', 1)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await rl.consume('a', 1)).allowed).toBe(false);
    expect(await rl.refund('a', 0.5)).toMatchObject({ remaining: 1 });
    expect(Number(await redis().get(key))).toBe(2);
  });

  it("reads a counter an earlier version wrote ('<start>:<count>') and keeps counting in its window", async () => {
    await rl.consume('a');
    const key = await counterKey();
    await redis().set(key, `${await windowStart()}:2`, 'PX', hour);
    expect(await rl.consume('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(await redis().get(key)).toBe('3');
    expect((await rl.consume('a')).allowed).toBe(false);

    // One from the previous window counts nothing.
    await redis().set(key, `${(await windowStart()) - hour}:3`, 'PX', hour);
    expect(await rl.consume('a')).toMatchObject({ allowed: true, remaining: 2 });
    expect(await redis().get(key)).toBe('1');
  });
});
