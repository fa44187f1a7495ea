import { setTimeout as sleep } from 'node:timers/promises';
import { type RedisTarget, timed, useRedisTargets, waitFor } from '@rediware/testing';
import { createCache } from '../../src';
import { useCaches } from '../helpers/open-caches';

const targets = useRedisTargets();

describe.each(targets)('loader timeouts on $name', (target: RedisTarget) => {
  const cache = useCaches(target);

  it('softTimeout serves the stale value and the slow loader still updates the cache', async () => {
    const c = cache({ ttl: 100, staleIfError: '1m', softTimeout: 50 });
    await c.wrap('k', () => 'old');
    await sleep(150);
    let finished = false;
    const slow = async () => {
      await sleep(400);
      finished = true;
      return 'new';
    };
    const result = await c.wrapWithStatus('k', slow);
    expect(result).toMatchObject({ value: 'old', status: 'stale' });
    expect(finished).toBe(false);
    await waitFor(async () => (await c.get('k')) === 'new');
    expect(finished).toBe(true);
  });

  it('softTimeout waits for the loader when there is no stale value to serve', async () => {
    const c = cache({ softTimeout: 20 });
    const result = await c.wrapWithStatus('k', async () => {
      await sleep(150);
      return 'loaded';
    });
    expect(result).toMatchObject({ value: 'loaded', status: 'miss' });
  });

  it('hardTimeout gives up with a clear error, caches nothing and frees the key', async () => {
    const c = cache({ hardTimeout: 100 });
    const { error: failure, elapsed } = await timed(
      c.wrap('k', () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 1_000))),
    );
    expect(failure).toMatchObject({
      code: 'ERR_RW_CACHE_LOADER_TIMEOUT',
      message: expect.stringMatching(/hardTimeout/),
    });
    // Does not hang past the timeout (with a margin for a loaded machine).
    expect(elapsed).toBeLessThan(900);
    expect(await c.get('k')).toBeUndefined();
    expect(await c.wrap('k', () => 'next')).toBe('next');
  });

  it('hardTimeout serves the stale-if-error value when there is one', async () => {
    const c = cache({ ttl: 100, staleIfError: '1m', hardTimeout: 50 });
    await c.wrap('k', () => 'old');
    await sleep(150);
    const result = await c.wrapWithStatus(
      'k',
      () => new Promise((resolve) => setTimeout(() => resolve('late'), 500)),
    );
    expect(result).toMatchObject({ value: 'old', status: 'stale' });
  });

  it('wrapMany past softTimeout: stale keys answered at once, the slow batch still fills the cache', async () => {
    const c = cache({ ttl: 100, staleIfError: '1m', softTimeout: 50 });
    await c.setMany([
      ['a', 'old-a'],
      ['b', 'old-b'],
    ]);
    await sleep(150);
    let finished = false;
    const slowMany = async (keys: string[]) => {
      await sleep(400);
      finished = true;
      return keys.map((key) => `new-${key}`);
    };
    expect(await c.wrapMany(['a', 'b'], slowMany)).toEqual(['old-a', 'old-b']);
    expect(finished).toBe(false);
    await waitFor(async () => (await c.get('b')) === 'new-b');
    expect(await c.getMany(['a', 'b'])).toEqual(['new-a', 'new-b']);
  });

  it('wrapMany past softTimeout: a key without a stale value waits for the batch', async () => {
    const c = cache({ ttl: 100, staleIfError: '1m', softTimeout: 50 });
    await c.set('a', 'old-a');
    await sleep(150);
    let finished = false;
    const values = await c.wrapMany(['a', 'c'], async (keys) => {
      await sleep(300);
      finished = true;
      return keys.map((key) => `new-${key}`);
    });
    expect(values).toEqual(['old-a', 'new-c']);
    expect(finished).toBe(true);
    await waitFor(async () => (await c.get('a')) === 'new-a');
  });

  it('wrapMany past hardTimeout rejects with a clear error, caches nothing and frees the keys', async () => {
    const c = cache({ hardTimeout: 100 });
    const late = (keys: string[]) =>
      new Promise<string[]>((resolve) => setTimeout(() => resolve(keys.map(() => 'late')), 1_000));
    await expect(c.wrapMany(['a', 'b'], late)).rejects.toMatchObject({
      code: 'ERR_RW_CACHE_LOADER_TIMEOUT',
      message: expect.stringMatching(/'a', 'b'/),
    });
    expect(await c.getMany(['a', 'b'])).toEqual([undefined, undefined]);
    expect(await c.wrapMany(['a', 'b'], (keys) => keys.map((key) => `next-${key}`))).toEqual([
      'next-a',
      'next-b',
    ]);
  });

  it('wrapMany past hardTimeout serves the stale-if-error values it has and rejects for the rest', async () => {
    const c = cache({ ttl: 100, staleIfError: '1m', hardTimeout: 50 });
    await c.set('a', 'old-a');
    await sleep(150);
    const late = (keys: string[]) =>
      new Promise<string[]>((resolve) => setTimeout(() => resolve(keys.map(() => 'late')), 500));
    expect(await c.wrapMany(['a'], late)).toEqual(['old-a']);
    await expect(c.wrapMany(['a', 'c'], late)).rejects.toMatchObject({ code: 'ERR_RW_CACHE_LOADER_TIMEOUT' });
  });

  it('rejects bad timeouts at construction', () => {
    expect(() => createCache({ ttl: '1m', softTimeout: -1 })).toThrow(/softTimeout/);
    expect(() => createCache({ ttl: '1m', hardTimeout: 'soon' as never })).toThrow(/hardTimeout/);
  });
});
