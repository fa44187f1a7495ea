import { RediwareConfigError } from '@rediware/core';
import { createCache } from '../../src';

describe('options', () => {
  it.each([
    [{}, 'ttl'],
    [{ ttl: -1 }, 'ttl'],
    [{ ttl: '1m', staleWhileRevalidate: 'soon' }, 'staleWhileRevalidate'],
    [{ ttl: '1m', l1: { maxEntries: 0 } }, 'l1.maxEntries'],
    [{ ttl: '1m', l1: { size: 1 } }, 'l1.size'],
    [{ ttl: '1m', l1: { maxUnverified: 'soon' } }, 'l1.maxUnverified'],
    [{ ttl: '1m', l1: { maxUnverified: true } }, 'l1.maxUnverified'],
    [{ ttl: '1m', maxValueSize: 1.5 }, 'maxValueSize'],
    [{ ttl: '1m', serializer: { serialize: JSON.stringify } }, 'serializer.deserialize'],
    [{ ttl: '1m', prefix: 'a{b}' }, 'prefix'],
    [{ ttl: '1m', lockTtl: 0 }, 'lockTtl'],
    [{ ttl: '1m', tll: '1m' }, 'options.tll'],
  ])('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      createCache(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RediwareConfigError);
    expect((error as RediwareConfigError).option).toBe(option);
  });

  it('fills defaults and freezes the config', async () => {
    const cache = createCache({ ttl: '5m', l1: true });
    expect(cache.config).toMatchObject({
      prefix: 'rw:',
      ttlMs: 300_000,
      staleWhileRevalidateMs: 0,
      staleIfErrorMs: 0,
      l1: { maxEntries: 1000, ttlMs: 30_000, maxUnverifiedMs: 5_000 },
      maxValueSize: 1_048_576,
      lockTtlMs: 10_000,
      lockWaitMs: 10_000,
    });
    expect(Object.isFrozen(cache.config)).toBe(true);
    await cache.close();
  });

  it('rejects bad call options naming them', async () => {
    const cache = createCache({ ttl: '1m' });
    await expect(cache.set('k', 1, { tags: [''] })).rejects.toMatchObject({ option: 'tags' });
    await expect(cache.get('k', { namespace: '' })).rejects.toMatchObject({ option: 'namespace' });
    await expect(cache.wrap('k', 'nope' as never)).rejects.toMatchObject({ code: 'ERR_RW_CACHE_LOADER' });
    await expect(cache.get(42 as never)).rejects.toMatchObject({ code: 'ERR_RW_CACHE_KEY' });
    await cache.close();
  });
});
