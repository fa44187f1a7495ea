import { RediwareConfigError } from '@rediware/core';
import { createSessionStore, type SessionStoreOptions } from '../src';

describe('options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['prefix', { prefix: 'has {braces}' }],
    ['ttl', { ttl: -1 }],
    ['ttl', { ttl: 0 }],
    ['touchAfter', { touchAfter: 'soon' }],
    ['timeout', { timeout: '1y' }],
    ['tombstoneTtl', { tombstoneTtl: -1 }],
    ['serializer', { serializer: { parse: JSON.parse } }],
    ['userId', { userId: 'userId' }],
    ['encryptionKeys', { encryptionKeys: [] }],
    ['encryptionKeys[1]', { encryptionKeys: ['k'.repeat(32), 'too short'] }],
    ['hashIds', { hashIds: 'yes' }],
    ['disableTouch', { disableTouch: 1 }],
    ['disableTTL', { disableTTL: 'true' }],
    ['scanCount', { scanCount: 0 }],
    ['scanCount', { scanCount: 2.5 }],
    ['options.disablettl', { disablettl: true }],
    ['options.touchafter', { touchafter: '1m' }],
  ])('rejects a bad %s at construction, naming it', (option, options) => {
    const create = () => createSessionStore(options as SessionStoreOptions);
    expect(create).toThrow(RediwareConfigError);
    expect(create).toThrow(expect.objectContaining({ option }));
  });

  it('accepts durations as strings or milliseconds, and no options at all', async () => {
    const stores = [
      createSessionStore(),
      createSessionStore({ ttl: '2h', touchAfter: 60_000, tombstoneTtl: '1m', timeout: '250ms' }),
      createSessionStore({ tombstoneTtl: 0, disableTouch: true, disableTTL: true, scanCount: 100 }),
      createSessionStore({ encryptionKeys: [Buffer.alloc(32, 7)], hashIds: true, prefix: 'app:' }),
    ];
    await Promise.all(stores.map((store) => store.close()));
  });

  it('warns once (RW_SESSION_TTL_SECONDS) for a numeric ttl under 5 minutes: connect-redis counts seconds', async () => {
    const warnings: Array<{ message: string; code: unknown }> = [];
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
      warnings.push({ message: String(warning), code: (options as { code?: unknown } | undefined)?.code });
    });
    try {
      const quiet = [
        createSessionStore({ ttl: '30s' }),
        createSessionStore({ ttl: 300_000 }),
        createSessionStore({ ttl: () => 60 }), // only a number it answers can be taken for seconds
      ];
      expect(warnings).toEqual([]);
      const ported = [createSessionStore({ ttl: 86_400 }), createSessionStore({ ttl: 3_600 })];
      expect(warnings).toEqual([
        {
          code: 'RW_SESSION_TTL_SECONDS',
          message: expect.stringMatching(/`ttl: 86400` is 86400 milliseconds .*not seconds.*'86400s'/),
        },
      ]);
      await Promise.all([...quiet, ...ported].map((store) => store.close()));
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('warns for a number a ttl function answers too (a fresh copy of the module: it warns once per process)', async () => {
    let fresh!: typeof import('../src');
    jest.isolateModules(() => {
      fresh = require('../src');
    });
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const store = fresh.createSessionStore({ ttl: () => 86_400 });
      expect(emitWarning).not.toHaveBeenCalled();
      await store.set('s1', { cookie: {} });
      await store.set('s2', { cookie: {} });
      expect(emitWarning.mock.calls).toEqual([
        [expect.stringContaining('`ttl: 86400`'), { code: 'RW_SESSION_TTL_SECONDS' }],
      ]);
      await store.close();
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('rejects a userId function that returns something other than a string', async () => {
    const store = createSessionStore<{ user: unknown }>({ userId: (session) => session.user as string });
    await expect(store.set('s1', { user: { id: 1 } })).rejects.toMatchObject({
      code: 'ERR_RW_SESSION_USER_ID',
    });
    await store.close();
  });
});
