import { defineScript } from '@rediware/core';
import { type Holders, liveSemaphore, storeSemaphore } from './holder-state';
import { permitMembers, permitsLua } from './permits';

/**
 * Resets the ttl of every holder key, only if this owner still holds all of them: 1 when extended,
 * 0 when the lock was lost (expired, or taken by someone else after it expired). A semaphore
 * holder's every permit member is extended (permits.ts).
 * KEYS: the holder keys. ARGV: owner, ttl ms.
 */
export const extendScript = defineScript<0 | 1>({
  name: 'lock-extend',
  lua: `${permitsLua}
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local now = now_ms()
for i = 1, #KEYS do
  local key = KEYS[i]
  local kind = redis.call('TYPE', key).ok
  if kind == 'string' then
    if redis.call('GET', key) ~= owner then return 0 end
  elseif kind == 'zset' then
    local expiry = redis.call('ZSCORE', key, owner)
    if not expiry or tonumber(expiry) <= now then return 0 end
  else
    return 0
  end
end
for i = 1, #KEYS do
  local key = KEYS[i]
  if redis.call('TYPE', key).ok == 'string' then
    redis.call('PEXPIRE', key, ttl)
  else
    for _, member in ipairs(permit_members(owner)) do redis.call('ZADD', key, now + ttl, member) end
    local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    redis.call('PEXPIRE', key, tonumber(last[2]) - now)
  end
end
return 1`,
  memory({ store, now }, keys, [owner, ttlArg]) {
    const ttl = Number(ttlArg);
    const held = keys.every((key) => {
      const holders = store.get<Holders>(key);
      if (typeof holders === 'string') return holders === owner;
      return (liveSemaphore(store, key, now)?.get(String(owner)) ?? 0) > now;
    });
    if (!held) return 0;
    for (const key of keys) {
      const holders = store.get<Holders>(key);
      if (typeof holders === 'string') store.expire(key, ttl);
      else if (holders instanceof Map) {
        for (const member of permitMembers(String(owner))) holders.set(member, now + ttl);
        storeSemaphore(store, key, holders, now);
      }
    }
    return 1;
  },
});
