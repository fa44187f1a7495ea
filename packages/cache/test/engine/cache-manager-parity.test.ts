import { setTimeout as sleep } from 'node:timers/promises';
import {
  connectIoredis,
  type RedisTarget,
  rejectionOf,
  timed,
  useFaultyRedis,
  useRedisTargets,
  waitFor,
} from '@rediware/testing';
import { createCache } from '../../src';
import { useCaches } from '../helpers/open-caches';

// What cache-manager (v6/v7) and Keyv users rely on, ported to the engine as
// docs/migrating/cache-manager.md maps it: their method names and their own tests' expectations.

const targets = useRedisTargets(['memory', 'ioredis', 'node-redis']);

describe.each(targets)('cache-manager parity on $name', (target: RedisTarget) => {
  const cache = useCaches(target);
  const redisOnly = target.name === 'memory' ? it.skip : it;

  it('get: undefined for a missing key and for one past its ttl (cache-manager v7 returns undefined too)', async () => {
    const c = cache();
    expect(await c.get('nothing')).toBeUndefined();
    await c.set('short', { n: 1 }, { ttl: 150 });
    expect(await c.get('short')).toEqual({ n: 1 });
    await sleep(250);
    expect(await c.get('short')).toBeUndefined();
  });

  it('mget: values in the order of the keys, undefined for misses (getMany)', async () => {
    const c = cache();
    await c.set('a', 1);
    await c.set('c', 'three');
    expect(await c.mget(['c', 'b', 'a'])).toEqual(['three', undefined, 1]);
    expect(await c.mget([])).toEqual([]);
  });

  it('mset: { key, value, ttl? } items, each with its own ttl; the later item for a key wins', async () => {
    const c = cache();
    await c.mset([
      { key: 'short', value: 's', ttl: 150 },
      { key: 'long', value: 'l' },
      { key: 'twice', value: 'first', ttl: 150 },
      { key: 'twice', value: 'second' },
      { key: 'minutes', value: 'm', ttl: '10m' },
    ]);
    expect(await c.mget(['short', 'long', 'twice', 'minutes'])).toEqual(['s', 'l', 'second', 'm']);
    await sleep(250);
    // The short item expired; the later 'twice' item kept the cache's ttl, not the first item's.
    expect(await c.mget(['short', 'long', 'twice', 'minutes'])).toEqual([undefined, 'l', 'second', 'm']);
  });

  it('mset: the call options apply to every item (tags), a ttl of 0 deletes as set does', async () => {
    const c = cache();
    await c.set('gone', 'old');
    await c.mset(
      [
        { key: 'p1', value: 1 },
        { key: 'p2', value: 2, ttl: '5m' },
        { key: 'gone', value: 'new', ttl: 0 },
      ],
      { tags: ['posts'] },
    );
    expect(await c.mget(['p1', 'p2', 'gone'])).toEqual([1, 2, undefined]);
    await c.invalidate({ tags: ['posts'] });
    expect(await c.mget(['p1', 'p2'])).toEqual([undefined, undefined]);
  });

  it('mset rejects what is not a list of { key, value } items', async () => {
    const c = cache();
    for (const bad of ['a', [{ value: 1 }], [null], [['a', 1]]])
      expect(await rejectionOf(c.mset(bad as never))).toMatchObject({ code: 'ERR_RW_CACHE_KEY' });
  });

  it('del: deletes the entry (delete)', async () => {
    const c = cache();
    await c.set('k', 'v');
    await c.del('k');
    expect(await c.get('k')).toBeUndefined();
    await c.del('never-set');
  });

  redisOnly('del reaches every instance, L1 included', async () => {
    const [one, two] = [cache({ l1: true }), cache({ l1: true })];
    await Promise.all([one.ready(), two.ready()]);
    await one.set('k', 'v');
    expect(await two.get('k')).toBe('v'); // now in two's L1
    await one.del('k');
    await waitFor(async () => (await two.get('k')) === undefined, 2_000);
  });

  it('ttl(key): the time its freshness ends, as a timestamp; undefined when missing, expired or invalidated', async () => {
    const c = cache();
    const before = Date.now();
    await c.set('k', 'v', { ttl: '10s', tags: ['t'] });
    const expiresAt = await c.ttl('k');
    expect(expiresAt).toBeGreaterThanOrEqual(before + 10_000 - 50);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 10_000 + 50);
    expect(await c.ttl('missing')).toBeUndefined();
    await c.set('short', 'v', { ttl: 100 });
    await sleep(200);
    expect(await c.ttl('short')).toBeUndefined();
    await c.invalidate({ tags: ['t'] });
    expect(await c.ttl('k')).toBeUndefined();
  });

  it('ttl(key) of a namespaced key honours the namespace version', async () => {
    const c = cache();
    await c.set('42', 'user', { namespace: 'users', ttl: '1m' });
    expect(await c.ttl('42', { namespace: 'users' })).toBeGreaterThan(Date.now());
    await c.bumpVersion('users');
    expect(await c.ttl('42', { namespace: 'users' })).toBeUndefined();
  });

  it('wrap: concurrent calls run the function once; an error is not cached (as cache-manager)', async () => {
    const c = cache();
    let calls = 0;
    const load = async () => {
      calls++;
      await sleep(20);
      return { calls };
    };
    const values = await Promise.all(Array.from({ length: 20 }, () => c.wrap('w', load, { ttl: '1m' })));
    expect(values.every((value) => value.calls === 1)).toBe(true);
    expect(calls).toBe(1);
    const failing = () => Promise.reject(new Error('db down'));
    await expect(c.wrap('e', failing)).rejects.toThrow('db down');
    expect(await c.wrap('e', async () => 'ok')).toBe('ok');
  });

  it("wrap: a ttl chosen from the value (cache-manager's ttl function) is ctx.setOptions", async () => {
    const c = cache();
    const load = (priority: string) => () =>
      c.wrap(`job:${priority}`, (ctx) => {
        const job = { priority };
        ctx.setOptions({ ttl: job.priority === 'high' ? '10m' : 150 });
        return job;
      });
    await load('high')();
    await load('low')();
    await sleep(250);
    expect(await c.mget(['job:high', 'job:low'])).toEqual([{ priority: 'high' }, undefined]);
  });

  it('wrap with refreshAhead (refreshThreshold): past the fraction, the old value is returned and refreshed once', async () => {
    const c = cache({ refreshAhead: 0.5 });
    let version = 0;
    const load = async () => ++version;
    expect(await c.wrap('r', load, { ttl: 400 })).toBe(1);
    await sleep(250);
    // Past half the ttl: still the cached value, and a background refresh starts.
    expect(await c.wrap('r', load, { ttl: 400 })).toBe(1);
    await waitFor(async () => (await c.get('r')) === 2, 2_000);
    expect(version).toBe(2);
  });

  it("the guide's after example, call by call", async () => {
    interface User {
      id: number;
      name: string;
    }
    let finds = 0;
    const db = { users: { find: async (id: number): Promise<User> => ({ id, name: `user ${++finds}` }) } };
    const c = cache({ ttl: '1m', refreshAhead: 5 / 6 });
    const users = { namespace: 'users' };
    const user = await c.wrap('user:1', () => db.users.find(1), { ttl: '10m', ...users });
    expect(await c.wrap('user:1', () => db.users.find(1), { ttl: '10m', ...users })).toEqual(user);
    expect(finds).toBe(1);
    await c.set('user:1', { ...user, name: 'Ada' }, { ttl: '10m', ...users });
    expect(await c.mget<User>(['user:1', 'user:2'], users)).toEqual([{ id: 1, name: 'Ada' }, undefined]);
    await c.mset(
      [
        { key: 'user:2', value: { id: 2, name: 'Grace' }, ttl: '1m' },
        { key: 'user:3', value: { id: 3, name: 'Edsger' } },
      ],
      users,
    );
    expect(await c.get('users:user:3')).toEqual({ id: 3, name: 'Edsger' }); // namespace:key, as the README says
    const expiresAt = await c.ttl('user:1', users);
    expect(expiresAt).toBeGreaterThan(Date.now() + 9 * 60_000);
    await c.del('user:3', users);
    expect(await c.get('user:3', users)).toBeUndefined();
    await c.bumpVersion('users');
    expect(await c.mget(['user:1', 'user:2'], users)).toEqual([undefined, undefined]);
    expect(await c.ttl('user:1', users)).toBeUndefined();
  });
});

describe('cache-manager names when Redis stalls', () => {
  const faulty = useFaultyRedis();
  const timeout = 200;

  it('mget and ttl answer undefined, mset resolves (each reported), del rejects: all within the timeout', async () => {
    const cache = createCache({ redis: await connectIoredis(faulty.proxy().url), ttl: '1m', timeout });
    try {
      const operations: string[] = [];
      cache.on('failure', (event) => operations.push(event.operation));
      await cache.mset([{ key: 'k', value: 'v' }]);
      expect(await cache.ttl('k')).toBeGreaterThan(Date.now());
      faulty.proxy().stall();
      const ttl = await timed(cache.ttl('k'));
      expect(ttl).toMatchObject({ value: undefined });
      expect(ttl.elapsed).toBeLessThan(timeout + 1_000);
      expect(await cache.mget(['k'])).toEqual([undefined]);
      expect((await timed(cache.mset([{ key: 'k', value: 'new', ttl: '5m' }]))).error).toBeUndefined();
      expect(await rejectionOf(cache.del('k'))).toMatchObject({
        code: expect.stringMatching(/^ERR_RW_REDIS_/),
      });
      expect(operations).toEqual(expect.arrayContaining(['ttl', 'delete']));
      faulty.proxy().pass();
      await waitFor(async () => (await cache.ttl('k')) !== undefined);
    } finally {
      await cache.close();
    }
  });
});
