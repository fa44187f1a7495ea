import { RediwareConfigError } from '@rediware/core';
import { createSessionStore, type SessionStoreOptions } from '../src';

describe('options', () => {
  it.each<[string, Record<string, unknown>]>([
    ['prefix', { prefix: 'has {braces}' }],
    ['ttl', { ttl: -1 }],
    ['ttl', { ttl: 0 }],
    ['touchAfter', { touchAfter: 'soon' }],
    ['timeout', { timeout: '1y' }],
    ['tombstoneTtl', { tombstoneTtl: 0 }],
    ['serializer', { serializer: { parse: JSON.parse } }],
    ['userId', { userId: 'userId' }],
    ['encryptionKeys', { encryptionKeys: [] }],
    ['encryptionKeys[1]', { encryptionKeys: ['k'.repeat(32), 'too short'] }],
    ['hashIds', { hashIds: 'yes' }],
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
      createSessionStore({ encryptionKeys: [Buffer.alloc(32, 7)], hashIds: true, prefix: 'app:' }),
    ];
    await Promise.all(stores.map((store) => store.close()));
  });

  it('rejects a userId function that returns something other than a string', async () => {
    const store = createSessionStore<{ user: unknown }>({ userId: (session) => session.user as string });
    await expect(store.set('s1', { user: { id: 1 } })).rejects.toMatchObject({
      code: 'ERR_RW_SESSION_USER_ID',
    });
    await store.close();
  });
});
