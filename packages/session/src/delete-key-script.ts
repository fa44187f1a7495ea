import { defineScript } from '@rediware/core';

/** Deletes one key: `clear` deletes key by key so that no command spans two slots. */
export const deleteKeyScript = defineScript<number>({
  name: 'session-delete-key',
  lua: `return redis.call('DEL', KEYS[1])`,
  memory({ store }, keys) {
    const key = keys[0] as string;
    return store.has(key) && store.delete(key) ? 1 : 0;
  },
});
