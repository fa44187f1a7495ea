import { responseCache } from '../../src/express';
import { parseCacheControl, storageDecision } from '../../src/http/rfc9111/cacheability';

describe('response cache options', () => {
  it.each([
    [{}, 'ttl'],
    [{ ttl: 'soon' }, 'ttl'],
    [{ ttl: '1m', maxBodySize: -1 }, 'maxBodySize'],
    [{ ttl: '1m', statuses: [200, 99] }, 'statuses'],
    [{ ttl: '1m', trustedHosts: 'a.example' }, 'trustedHosts'],
    [{ ttl: '1m', tags: ['a'] }, 'tags'],
    [{ ttl: '1m', vary: 'accept' }, 'vary'],
    [{ ttl: '1m', keepForRevalidation: 'a while' }, 'keepForRevalidation'],
    [{ ttl: '1m', typo: true }, 'options.typo'],
    [{ ttl: '1m', surrogateControl: 'yes' }, 'surrogateControl'],
    [{ ttl: '1m', surrogateControl: { target: 'a b' } }, 'surrogateControl'],
    [{ ttl: '1m', minUses: 0 }, 'minUses'],
    [{ ttl: '1m', minUses: 16 }, 'minUses'],
    [{ ttl: '1m', minUsesWindow: 0 }, 'minUsesWindow'],
    [{ ttl: '1m', maxEntries: 1.5 }, 'maxEntries'],
    [{ ttl: '1m', maxMemoryUsage: 80 }, 'maxMemoryUsage'],
    [{ ttl: '1m', maxMemoryUsage: true }, 'maxMemoryUsage'],
  ])('rejects %j naming %s', (options, option) => {
    expect(() => responseCache(options as never)).toThrow(
      expect.objectContaining({ code: 'ERR_RW_CONFIG', option }),
    );
  });

  it('route options are checked too', () => {
    const cache = responseCache({ ttl: '1m' });
    expect(() => cache.route({ staleIfError: 'never' as never })).toThrow(
      expect.objectContaining({ option: 'staleIfError' }),
    );
    return cache.close();
  });
});

describe('cacheability rules', () => {
  const defaults = {
    ttlMs: 60_000,
    staleWhileRevalidateMs: 5000,
    staleIfErrorMs: 5000,
    statuses: new Set([200]),
  };

  it('parses Cache-Control; the first of duplicate directives wins', () => {
    const directives = parseCacheControl('Public, max-age=60, max-age=0, s-maxage="30"');
    expect([...directives]).toEqual([
      ['public', ''],
      ['max-age', '60'],
      ['s-maxage', '30'],
    ]);
  });

  it('s-maxage over max-age over ttl; s-maxage and must-revalidate forbid configured stale windows', () => {
    expect(storageDecision(200, { 'cache-control': 'max-age=10, s-maxage=20' }, defaults)).toMatchObject({
      store: true,
      ttlMs: 20_000,
      staleWhileRevalidateMs: 0,
    });
    expect(storageDecision(200, { 'cache-control': 'max-age=10' }, defaults)).toMatchObject({
      ttlMs: 10_000,
      staleWhileRevalidateMs: 5000,
    });
    expect(storageDecision(200, { 'cache-control': 'max-age=10, must-revalidate' }, defaults)).toMatchObject({
      staleIfErrorMs: 0,
    });
    expect(storageDecision(200, {}, defaults)).toMatchObject({ ttlMs: 60_000 });
    expect(storageDecision(200, { 'cache-control': 'max-age=0' }, defaults)).toMatchObject({ store: false });
    expect(storageDecision(201, {}, defaults)).toMatchObject({ store: false, reason: 'status' });
  });

  it('no-cache: stored never fresh (revalidated on use) with a validator, not stored without one', () => {
    for (const validator of [{ etag: '"a"' }, { 'last-modified': 'Wed, 01 Jan 2020 00:00:00 GMT' }])
      expect(
        storageDecision(200, { 'cache-control': 'no-cache, max-age=60', ...validator }, defaults),
      ).toMatchObject({
        store: true,
        ttlMs: 0,
        staleWhileRevalidateMs: 0,
        staleIfErrorMs: 0,
      });
    expect(storageDecision(200, { 'cache-control': 'no-cache' }, defaults)).toMatchObject({ store: false });
    expect(
      storageDecision(200, { 'cache-control': 'no-cache', etag: '"a"', 'set-cookie': 'a=b' }, defaults),
    ).toMatchObject({ store: false, reason: 'set-cookie' });
  });
});
