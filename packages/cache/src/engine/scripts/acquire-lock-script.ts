import { defineScript } from '@rediware/core';

/** Takes the loader lock of one entry if it is free. KEYS: lock. ARGV: token, ttl ms. Reply: 1 when taken. */
export const acquireLockScript = defineScript<number>({
  name: 'cache-acquire-lock',
  lua: "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end return 0",
  memory: ({ store }, keys, args) => {
    const lockKey = keys[0] as string;
    if (store.has(lockKey)) return 0;
    store.set(lockKey, String(args[0]), Number(args[1]));
    return 1;
  },
});
