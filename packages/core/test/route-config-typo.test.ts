import { looksMisspelt, warnMisspeltRouteConfig } from '../src';
import { editDistance } from '../src/edit-distance';

/** The RW_ROUTE_CONFIG_TYPO warnings emitted while `run` runs. */
function typoWarnings(run: () => void): string[] {
  const seen: string[] = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
    if (typeof options === 'object' && options.code === 'RW_ROUTE_CONFIG_TYPO') seen.push(String(warning));
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('ratelimit', 'ratelimit')).toBe(0);
    expect(editDistance('ratelimt', 'ratelimit')).toBe(1);
    expect(editDistance('ratelimiit', 'ratelimit')).toBe(1);
    expect(editDistance('ratelinit', 'ratelimit')).toBe(1);
    expect(editDistance('rateilmit', 'ratelimit')).toBe(1);
    expect(editDistance('', 'lock')).toBe(4);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('looksMisspelt', () => {
  it.each([
    ['rateLimt', 'rateLimit'],
    ['ratelimit', 'rateLimit'],
    ['RateLimit', 'rateLimit'],
    ['rate_limit', 'rateLimit'],
    ['rateLimits', 'rateLimit'],
    ['rtaeLimit', 'rateLimit'],
    ['cahce', 'cache'],
    ['Cache', 'cache'],
    ['lcok', 'lock'],
    ['locks', 'lock'],
  ])('%s looks like %s misspelt', (key, expected) => {
    expect(looksMisspelt(key, expected)).toBe(true);
  });

  it.each([
    ['rateLimit', 'rateLimit'],
    ['cache', 'cache'],
    ['auth', 'rateLimit'],
    ['limit', 'rateLimit'],
    ['ok', 'lock'],
    ['url', 'lock'],
    ['method', 'cache'],
    ['caching', 'cache'],
  ])('%s does not look like %s misspelt', (key, expected) => {
    expect(looksMisspelt(key, expected)).toBe(false);
  });
});

describe('warnMisspeltRouteConfig', () => {
  it('warns once per package and key with the RW_ROUTE_CONFIG_TYPO code, naming the route and the key', () => {
    const warnings = typoWarnings(() => {
      warnMisspeltRouteConfig(
        '@rediware/x',
        'rateLimit',
        { rateLimt: {}, auth: true },
        { method: 'GET', url: '/a' },
      );
      warnMisspeltRouteConfig(
        '@rediware/x',
        'rateLimit',
        { rateLimt: {} },
        { method: ['GET', 'HEAD'], url: '/b' },
      );
      warnMisspeltRouteConfig('@rediware/y', 'rateLimit', { rateLimt: {} }, { method: 'POST', url: '/c' });
      warnMisspeltRouteConfig('@rediware/x', 'rateLimit', { rateLimit: {} }, { method: 'GET', url: '/d' });
      warnMisspeltRouteConfig('@rediware/x', 'rateLimit', undefined, { method: 'GET', url: '/e' });
    });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^@rediware\/x: route GET \/a has `config\.rateLimt`.*Did you mean `config\.rateLimit`\?$/,
      ),
      expect.stringMatching(/^@rediware\/y: route POST \/c has `config\.rateLimt`/),
    ]);
  });
});
