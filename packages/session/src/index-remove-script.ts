import { defineScript } from '@rediware/core';
import { userIndexOf } from './user-index';

/** Removes sessions from a user's index; an empty index is deleted. KEYS: index. ARGV: storage ids. */
export const indexRemoveScript = defineScript<number>({
  name: 'session-index-remove',
  lua: `
if redis.call('TYPE', KEYS[1]).ok ~= 'zset' then return 0 end
local removed = redis.call('ZREM', KEYS[1], unpack(ARGV))
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return removed
`,
  memory({ store }, keys, args) {
    const key = keys[0] as string;
    const index = userIndexOf(store, key);
    if (index === undefined) return 0;
    let removed = 0;
    for (const member of args) if (index.delete(String(member))) removed++;
    if (index.size === 0) store.delete(key);
    return removed;
  },
});
