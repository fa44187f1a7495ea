import type { MemoryScriptContext } from '@rediware/core';
import { type Holders, liveSemaphore, storeSemaphore } from './holder-state';
import { permitMembers } from './permits';

/**
 * The release operation of the lock script (lock-ops-script.ts), a Lua function:
 * compare-and-delete on the holder keys `KEYS[base + 1 .. base + n]`. Removes this owner from every
 * key it still holds and returns how many it held. Another owner's lock is never touched, and an
 * owner that expired counts as not held. Each key it frees is announced on its release channel
 * (the key's name) from inside the script, so releasing and waking the waiters is one round trip.
 * A mutex costs GET, DEL and PUBLISH; the clock is read only for a semaphore, where every
 * permit's member of the owner is removed (permits.ts).
 */
export const releaseLua = `
local function release(base, n, owner)
  local held = 0
  for i = base + 1, base + n do
    local key = KEYS[i]
    -- GET answers a mutex (or no key) at once; a semaphore's sorted set answers WRONGTYPE.
    local value = redis.pcall('GET', key)
    if value == owner then
      redis.call('DEL', key)
      redis.call('PUBLISH', key, '1')
      held = held + 1
    elseif type(value) == 'table' and value.err and redis.call('TYPE', key).ok == 'zset' then
      local expiry = redis.call('ZSCORE', key, owner)
      if expiry then
        redis.call('ZREM', key, unpack(permit_members(owner)))
        redis.call('PUBLISH', key, '1')
        if tonumber(expiry) > now_ms() then held = held + 1 end
      end
    end
  end
  return held
end
`;

/** The memory backend's twin of `release`, on the operation's holder keys. */
export function releaseMemory(
  { store, now, publish }: MemoryScriptContext,
  keys: readonly string[],
  owner: string,
): number {
  let held = 0;
  for (const key of keys) {
    const holders = store.get<Holders>(key);
    if (typeof holders === 'string') {
      if (holders === owner) {
        store.delete(key);
        publish(key, '1');
        held++;
      }
    } else if (holders instanceof Map) {
      const expiry = holders.get(owner);
      if (expiry !== undefined) publish(key, '1');
      if (expiry !== undefined && expiry > now) held++;
      for (const member of permitMembers(owner)) holders.delete(member);
      const live = liveSemaphore(store, key, now);
      if (live) storeSemaphore(store, key, live, now);
    }
  }
  return held;
}
