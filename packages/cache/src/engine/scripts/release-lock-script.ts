import { defineScript } from '@rediware/core';

/**
 * Releases the loader lock only if it is still ours: a loader slower than the lock ttl must not
 * delete the lock another process took meanwhile. KEYS: lock. ARGV: token. Reply: 1 when released.
 */
export const releaseLockScript = defineScript<number>({
  name: 'cache-release-lock',
  lua: "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
  memory: ({ store }, keys, args) => {
    const lockKey = keys[0] as string;
    if (store.get(lockKey) !== String(args[0])) return 0;
    store.delete(lockKey);
    return 1;
  },
});
