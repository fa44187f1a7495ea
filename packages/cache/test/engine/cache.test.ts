import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisTarget, rejectionOf, useRedisTargets, waitFor } from '@rediware/testing';
import type { CacheEvents } from '../../src';
import { useCaches } from '../helpers/open-caches';

const targets = useRedisTargets();

describe.each(targets)('cache engine on $name', (target: RedisTarget) => {
  const cache = useCaches(target);

  describe('get, set, delete', () => {
    it('round trips values, returns copies, and deletes', async () => {
      const c = cache();
      expect(await c.get('missing')).toBeUndefined();
      const value = { name: 'Ada', tags: ['x'], n: 1.5, nil: null };
      await c.set('user:1', value);
      const read = await c.get<typeof value>('user:1');
      expect(read).toEqual(value);
      read?.tags.push('mutated');
      expect(await c.get('user:1')).toEqual(value);
      await c.delete('user:1');
      expect(await c.get('user:1')).toBeUndefined();
      expect(c.stats()).toEqual({ hits: 2, misses: 2, stale: 0, errors: 0 });
    });

    it('keeps keys apart, including keys that are not plain text', async () => {
      const c = cache();
      const keys = ['a', 'A', 'a:b', '{a}', 'spaces here', 'ünïcode', '*', ''];
      await Promise.all(keys.map((key, i) => c.set(key, i)));
      expect(await Promise.all(keys.map((key) => c.get(key)))).toEqual(keys.map((_, i) => i));
    });

    it('expires entries after their ttl', async () => {
      const c = cache();
      await c.set('short', 'v', { ttl: 150 });
      await c.set('long', 'v');
      expect(await c.get('short')).toBe('v');
      await waitFor(async () => (await c.get('short')) === undefined);
      expect(await c.get('long')).toBe('v');
    });

    it('a ttl of 0 does not cache, and set replaces the previous value', async () => {
      const c = cache();
      await c.set('k', 'old');
      await c.set('k', 'new');
      expect(await c.get('k')).toBe('new');
      await c.set('k', 'skipped', { ttl: 0 });
      expect(await c.get('k')).toBeUndefined();
    });

    it('keeps Buffers byte for byte, through set/get and wrap', async () => {
      const c = cache();
      const bytes = Buffer.concat([randomBytes(4096), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])]);
      await c.set('bin', bytes);
      const read = await c.get<Buffer>('bin');
      expect(Buffer.isBuffer(read)).toBe(true);
      expect(read?.equals(bytes)).toBe(true);
      const loaded = await c.wrap('bin2', () => bytes);
      const hit = await c.wrapWithStatus<Buffer>('bin2', () => Buffer.alloc(0));
      expect(loaded.equals(bytes)).toBe(true);
      expect(hit.status).toBe('hit');
      expect(hit.value.equals(bytes)).toBe(true);
    });

    it('does not cache values over maxValueSize, and says so', async () => {
      const c = cache({ maxValueSize: 100 });
      const oversize: CacheEvents['oversize'][0][] = [];
      c.on('oversize', (event) => oversize.push(event));
      await c.set('big', 'x'.repeat(200));
      expect(await c.get('big')).toBeUndefined();
      let calls = 0;
      const load = async () => {
        calls++;
        return 'y'.repeat(200);
      };
      expect(await c.wrap('big2', load)).toBe('y'.repeat(200));
      expect(await c.wrap('big2', load)).toBe('y'.repeat(200));
      expect(calls).toBe(2);
      await c.set('small', 'x'.repeat(50));
      expect(await c.get('small')).toBe('x'.repeat(50));
      expect(oversize).toHaveLength(3);
      expect(oversize[0]).toEqual({ key: 'big', size: 202, limit: 100 });
    });
  });

  describe('wrap', () => {
    it('runs the loader once for 50 concurrent callers, then serves hits', async () => {
      const c = cache();
      let calls = 0;
      const loader = async () => {
        calls++;
        await sleep(50);
        return { at: calls };
      };
      const values = await Promise.all(Array.from({ length: 50 }, () => c.wrap('hot', loader)));
      expect(calls).toBe(1);
      expect(values.every((value) => value.at === 1)).toBe(true);
      const again = await c.wrapWithStatus('hot', loader);
      expect(again).toMatchObject({ value: { at: 1 }, status: 'hit' });
      expect(calls).toBe(1);
    });

    it('runs the loader once for concurrent callers on two instances (the Redis lock)', async () => {
      const a = cache();
      const b = cache();
      let calls = 0;
      const loader = async () => {
        calls++;
        await sleep(200);
        return 'v';
      };
      const values = await Promise.all([
        ...Array.from({ length: 10 }, () => a.wrap('shared', loader)),
        ...Array.from({ length: 10 }, () => b.wrap('shared', loader)),
      ]);
      expect(values.every((value) => value === 'v')).toBe(true);
      // The memory backend is per instance: each instance has its own data, so each loads once.
      expect(calls).toBe(target.name === 'memory' ? 2 : 1);
    });

    it('does not cache loader errors: they reach that flight, the next call loads again', async () => {
      const c = cache();
      let calls = 0;
      const failing = async () => {
        calls++;
        await sleep(20);
        throw new Error('db down');
      };
      const errors = await Promise.all([
        rejectionOf(c.wrap('e', failing)),
        rejectionOf(c.wrap('e', failing)),
      ]);
      expect(errors.map((error) => (error as Error).message)).toEqual(['db down', 'db down']);
      expect(calls).toBe(1);
      expect(await c.wrap('e', () => 'ok')).toBe('ok');
      expect(c.stats().errors).toBe(1);
    });

    it('applies the per-call ttl and lets the loader change it or skip caching', async () => {
      const c = cache();
      await c.wrap('short', () => 1, { ttl: 100 });
      await waitFor(async () => (await c.get('short')) === undefined);
      await c.wrap('skip', (context) => {
        context.skip();
        return 2;
      });
      expect(await c.get('skip')).toBeUndefined();
      await c.wrap('changed', (context) => {
        context.setOptions({ ttl: 100 });
        return 3;
      });
      expect(await c.get('changed')).toBe(3);
      await waitFor(async () => (await c.get('changed')) === undefined);
      expect(await c.wrap('undefined', () => undefined)).toBeUndefined();
    });

    it('counts hits, misses and stale per call', async () => {
      const c = cache();
      await c.wrap('k', () => 1);
      await c.wrap('k', () => 1);
      await c.get('k');
      await c.get('nothing');
      expect(c.stats()).toEqual({ hits: 2, misses: 2, stale: 0, errors: 0 });
    });
  });

  describe('tags and versions', () => {
    it('invalidate({ tags }) turns every entry of those tags into a miss, and only those', async () => {
      const c = cache();
      await c.set('post:1', 'p1', { tags: ['posts', 'user:1'] });
      await c.set('post:2', 'p2', { tags: ['posts'] });
      await c.wrap('user:1', () => 'u1', { tags: ['user:1'] });
      await c.set('other', 'o', { tags: ['others'] });
      await c.invalidate({ tags: ['posts'] });
      expect(await c.get('post:1')).toBeUndefined();
      expect(await c.get('post:2')).toBeUndefined();
      expect(await c.get('user:1')).toBe('u1');
      expect(await c.get('other')).toBe('o');
      await c.invalidate({ tags: ['user:1', 'never-used'] });
      expect(await c.get('user:1')).toBeUndefined();
      // Written again after the invalidation, an entry is served again.
      await c.set('post:1', 'p1 again', { tags: ['posts'] });
      expect(await c.get('post:1')).toBe('p1 again');
      let calls = 0;
      expect(await c.wrap('post:2', () => ++calls, { tags: ['posts'] })).toBe(1);
    });

    it('an invalidation during a load leaves the loaded value a miss', async () => {
      const c = cache();
      let calls = 0;
      const value = await c.wrap(
        'racy',
        async () => {
          calls++;
          await c.invalidate({ tags: ['t'] });
          return 'read before the invalidation';
        },
        { tags: ['t'] },
      );
      expect(value).toBe('read before the invalidation');
      expect(await c.get('racy')).toBeUndefined();
      expect(await c.wrap('racy', () => 'fresh', { tags: ['t'] })).toBe('fresh');
      expect(calls).toBe(1);
    });

    it('a stamp missing when the load starts: an invalidation during the load (tag, namespace, another instance) stores nothing', async () => {
      const c = cache();
      const other = cache();
      const cases: Array<[string, () => Promise<void>, { tags?: string[]; namespace?: string }]> = [
        ['by-tag', () => c.invalidate({ tags: ['cold-tag'] }), { tags: ['cold-tag'] }],
        ['by-namespace', () => c.bumpVersion('cold-ns'), { namespace: 'cold-ns' }],
      ];
      // Two memory caches share nothing.
      if (target.name !== 'memory')
        cases.push(['elsewhere', () => other.invalidate({ tags: ['cold-other'] }), { tags: ['cold-other'] }]);
      for (const [key, invalidate, options] of cases) {
        // No entry ever recorded these stamps: the read before the loader finds them missing.
        const value = await c.wrap(
          key,
          async () => {
            await invalidate();
            return 'read before the invalidation';
          },
          options,
        );
        expect(value).toBe('read before the invalidation');
        expect(await c.get(key, options)).toBeUndefined();
        expect(await c.wrap(key, () => 'fresh', options)).toBe('fresh');
        expect(await c.get(key, options)).toBe('fresh');
      }
    });

    it('loads that start with a stamp missing and are not invalidated are stored, concurrent ones too', async () => {
      const c = cache();
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const loads = ['a', 'b', 'c'].map((key) =>
        c.wrap(
          key,
          async () => {
            await gate;
            return key;
          },
          { tags: ['shared-cold'] },
        ),
      );
      await sleep(50);
      release();
      expect(await Promise.all(loads)).toEqual(['a', 'b', 'c']);
      expect(await Promise.all(['a', 'b', 'c'].map((key) => c.get(key)))).toEqual(['a', 'b', 'c']);
      await c.invalidate({ tags: ['shared-cold'] });
      expect(await Promise.all(['a', 'b', 'c'].map((key) => c.get(key)))).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('bumpVersion(namespace) turns every key of the namespace into a miss at once', async () => {
      const c = cache();
      await c.set('1', 'ada', { namespace: 'users' });
      await c.wrap('2', () => 'bob', { namespace: 'users' });
      await c.set('1', 'first post', { namespace: 'posts' });
      expect(await c.get('1', { namespace: 'users' })).toBe('ada');
      // A namespaced key is written as `namespace:key`.
      expect(await c.get('users:1')).toBe('ada');
      await c.bumpVersion('users');
      expect(await c.get('1', { namespace: 'users' })).toBeUndefined();
      expect(await c.get('2', { namespace: 'users' })).toBeUndefined();
      expect(await c.get('1', { namespace: 'posts' })).toBe('first post');
      await c.set('1', 'ada v2', { namespace: 'users' });
      expect(await c.get('1', { namespace: 'users' })).toBe('ada v2');
    });

    it('invalidation reaches another instance (shared Redis)', async () => {
      if (target.name === 'memory') return;
      const a = cache();
      const b = cache();
      await a.set('k', 'v', { tags: ['shared-tag'] });
      expect(await b.get('k')).toBe('v');
      await b.invalidate({ tags: ['shared-tag'] });
      expect(await a.get('k')).toBeUndefined();
    });
  });

  describe('stale-while-revalidate and stale-if-error', () => {
    it('serves the stale value and refreshes it once in the background', async () => {
      const c = cache({ staleWhileRevalidate: '1m' });
      let version = 0;
      let refreshes = 0;
      const loader = async () => {
        version++;
        if (version > 1) {
          refreshes++;
          await sleep(100);
        }
        return `v${version}`;
      };
      expect(await c.wrap('swr', loader, { ttl: 100 })).toBe('v1');
      await waitFor(async () => (await c.get('swr')) === undefined);
      const stale = await Promise.all(
        Array.from({ length: 10 }, () => c.wrapWithStatus('swr', loader, { ttl: 100 })),
      );
      expect(stale.every((result) => result.status === 'stale' && result.value === 'v1')).toBe(true);
      await waitFor(async () => (await c.wrapWithStatus('swr', loader, { ttl: '1m' })).value === 'v2');
      expect(refreshes).toBe(1);
      expect(c.stats().stale).toBeGreaterThanOrEqual(10);
    });

    it('serves the stale value when the loader fails inside staleIfError, and throws outside it', async () => {
      const c = cache({ staleIfError: '1m' });
      const events: CacheEvents['loaderError'][0][] = [];
      c.on('loaderError', (event) => events.push(event));
      const failing = () => {
        throw new Error('db down');
      };
      await c.wrap('sie', () => 'v1', { ttl: 100 });
      await c.wrap('no-sie', () => 'v1', { ttl: 100, staleIfError: 0 });
      await waitFor(async () => (await c.get('sie')) === undefined && (await c.get('no-sie')) === undefined);
      expect(await c.wrapWithStatus('sie', failing)).toMatchObject({ value: 'v1', status: 'stale' });
      expect(((await rejectionOf(c.wrap('no-sie', failing))) as Error).message).toBe('db down');
      expect(events.map((event) => event.servedStale)).toEqual([true, false]);
      // The failure cached nothing: the next successful load replaces the entry.
      expect(await c.wrapWithStatus('sie', () => 'v2')).toMatchObject({ value: 'v2', status: 'miss' });
    });

    it('does not serve an invalidated entry as stale', async () => {
      const c = cache({ staleWhileRevalidate: '1m', staleIfError: '1m' });
      await c.wrap('k', () => 'old', { tags: ['t'] });
      await c.invalidate({ tags: ['t'] });
      expect(await c.wrapWithStatus('k', () => 'new', { tags: ['t'] })).toMatchObject({
        value: 'new',
        status: 'miss',
      });
    });
  });

  describe('keep and context.previous', () => {
    it('a kept entry is never served, and its loader sees it as previous; without keep it is gone', async () => {
      const c = cache();
      const previous: unknown[] = [];
      const loader =
        (value: string) =>
        (context: { previous: unknown }): string => {
          previous.push(context.previous);
          return value;
        };
      await c.wrap('kept', loader('v1'), { ttl: 100, keep: '1m', tags: ['t'] });
      await c.wrap('dropped', loader('v1'), { ttl: 100 });
      await waitFor(async () => (await c.get('kept')) === undefined);
      await waitFor(async () => (await c.get('dropped')) === undefined);
      expect(
        await c.wrapWithStatus('kept', loader('v2'), { ttl: 100, keep: '1m', tags: ['t'] }),
      ).toMatchObject({
        value: 'v2',
        status: 'miss',
      });
      expect(await c.wrap('dropped', loader('v2'), { ttl: 100 })).toBe('v2');
      expect(previous).toEqual([undefined, undefined, 'v1', undefined]);
      // Kept with ttl 0: stored only for the next loader.
      await c.wrap('zero', loader('z1'), { ttl: 0, keep: '1m' });
      expect(await c.get('zero')).toBeUndefined();
      await c.wrap('zero', loader('z2'), { ttl: 0, keep: '1m' });
      expect(previous.slice(-2)).toEqual([undefined, 'z1']);
    });

    it('an invalidated kept entry is not previous', async () => {
      const c = cache();
      let seen: unknown = 'not called';
      await c.wrap('k', () => 'old', { ttl: 100, keep: '1m', tags: ['t'] });
      await waitFor(async () => (await c.get('k')) === undefined);
      await c.invalidate({ tags: ['t'] });
      await c.wrap('k', (context) => {
        seen = context.previous;
        return 'new';
      });
      expect(seen).toBeUndefined();
    });
  });

  describe('L1', () => {
    it('serves from process memory, and another instance evicts it by set, delete and invalidate', async () => {
      if (target.name === 'memory') return;
      const a = cache({ l1: true });
      const b = cache({ l1: true });
      expect(await a.ready()).toBe(true);
      expect(await b.ready()).toBe(true);
      await b.set('k', 'v1', { tags: ['t'] });
      expect(await a.get('k')).toBe('v1');
      await target.flush();
      // Redis is empty now: only a's L1 still has the value.
      expect(await a.get('k')).toBe('v1');
      expect(await b.get('k')).toBe('v1');
      await b.set('k', 'v2', { tags: ['t'] });
      await waitFor(async () => (await a.get('k')) === 'v2');
      await b.delete('k');
      await waitFor(async () => (await a.get('k')) === undefined);
      await b.set('k', 'v3', { tags: ['t'] });
      await waitFor(async () => (await a.get('k')) === 'v3');
      await b.invalidate({ tags: ['t'] });
      await waitFor(async () => (await a.get('k')) === undefined);
    });

    it('on the memory backend, hits L1 and evicts it on its own writes', async () => {
      const c = cache({ l1: { maxEntries: 2, ttl: '1m' } });
      await c.ready();
      await c.set('k', { n: 1 });
      const first = await c.get<{ n: number }>('k');
      const second = await c.get<{ n: number }>('k');
      expect(second).toEqual({ n: 1 });
      expect(first).not.toBe(second);
      await c.delete('k');
      expect(await c.get('k')).toBeUndefined();
    });
  });
});
