import { defineScript } from '@rediware/core';

/** Deletes every policy key of one identity (one slot, one round trip). */
export const resetScript = defineScript<number>({
  name: 'rate-limit-reset',
  lua: "return redis.call('DEL', unpack(KEYS))",
  memory: ({ store }, keys) => keys.filter((key) => store.delete(key)).length,
});
