import { useRedisTargets } from '@rediware/testing';
import { createSessionStore } from '../src';

const cookie = () => ({ cookie: { expires: new Date(Date.now() + 3_600_000) } });

describe.each(useRedisTargets(['memory', 'node-redis', 'ioredis']))('session metrics on $name', (target) => {
  beforeEach(() => target.flush());

  it('counts reads, writes, skipped touches and corrupt records', async () => {
    const store = createSessionStore({ redis: target.client() });
    const session = { ...cookie(), views: 1 };
    await store.set('a', session);
    expect(await store.get('a')).toMatchObject({ views: 1 });
    // Within the default touchAfter: neither the touch nor the identical save reaches Redis.
    await store.touch('a', session);
    await store.set('a', session);
    await store.set('a', { ...session, views: 2 });
    expect(await store.get('missing')).toBeNull();
    expect(store.metrics()).toMatchObject({ reads: 2, writes: 2, touchesSkipped: 2, corrupt: 0, errors: 0 });
    await store.close();
  });

  if (target.name !== 'memory') {
    it('counts a record it cannot decode as corrupt', async () => {
      const plain = createSessionStore({ redis: target.client() });
      const encrypted = createSessionStore({ redis: target.client(), encryptionKeys: ['k'.repeat(32)] });
      await plain.set('a', cookie());
      expect(await encrypted.get('a')).toBeNull();
      expect(encrypted.metrics()).toMatchObject({ reads: 1, corrupt: 1 });
      await Promise.all([plain.close(), encrypted.close()]);
    });
  }
});
