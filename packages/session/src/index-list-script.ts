import { defineScript } from '@rediware/core';
import { pruneUserIndex, userIndexOf } from './user-index';

/** Drops expired entries of a user's index and returns the rest (none from a key of another type). KEYS: index. */
export const indexListScript = defineScript<string[]>({
  name: 'session-index-list',
  lua: `
if redis.call('TYPE', KEYS[1]).ok ~= 'zset' then return {} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms())
return redis.call('ZRANGE', KEYS[1], 0, -1)
`,
  memory({ store, now }, keys) {
    const key = keys[0] as string;
    const index = userIndexOf(store, key);
    if (index === undefined) return [];
    pruneUserIndex(index, now);
    if (index.size === 0) store.delete(key);
    return [...index.entries()]
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .map(([member]) => member);
  },
});
