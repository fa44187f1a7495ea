import type { RedisTarget } from '@rediware/testing';
import { type Cache, type CacheOptions, createCache } from '../../src';

/**
 * Per test: an empty target before, every cache made with the returned factory closed after.
 * Call it inside the target's `describe`.
 */
export function useCaches(target: RedisTarget): (options?: Partial<CacheOptions>) => Cache {
  const open: Cache[] = [];
  beforeEach(() => target.flush());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((created) => created.close()));
  });
  return (options = {}) => {
    const created = createCache({ redis: target.client(), ttl: '1m', ...options });
    open.push(created);
    return created;
  };
}
