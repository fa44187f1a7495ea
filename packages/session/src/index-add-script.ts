import { defineScript } from '@rediware/core';
import { pruneUserIndex, userIndexOf } from './user-index';

/**
 * Records a session in its user's index with its expiry as the score (only ever raised, so a
 * late write cannot shorten it), drops entries that have expired, and keeps the index key alive
 * as long as its longest-lived session. Runs in the user's slot, apart from the session's. A key
 * of another type there is replaced, as the memory twin's `store.set` does.
 * KEYS: index. ARGV: session storage id, ttl ms.
 */
export const indexAddScript = defineScript<number>({
  name: 'session-index-add',
  lua: `
local now = now_ms()
local ttl = tonumber(ARGV[2])
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'zset' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], 'GT', now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`,
  memory({ store, now }, keys, args) {
    const key = keys[0] as string;
    const member = String(args[0]);
    const ttl = Number(args[1]);
    let index = userIndexOf(store, key);
    if (index === undefined) {
      index = new Map();
      store.set(key, index, ttl);
    }
    pruneUserIndex(index, now);
    index.set(member, Math.max(index.get(member) ?? 0, now + ttl));
    if (store.ttl(key) < ttl) store.expire(key, ttl);
    return 1;
  },
});
