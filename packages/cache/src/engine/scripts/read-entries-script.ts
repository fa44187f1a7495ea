import { defineScript } from '@rediware/core';
import { luaMicroClock } from './micro-clock';
import { type ReadEntryReply, readEntryScript } from './read-entry-script';

/**
 * The batch form of readEntryScript, for the keys of one slot group: each entry is read and, when
 * it is not fresh and a lock token is given, its loader lock is tried, all in one round trip.
 * KEYS: entry and lock of each key, in pairs. ARGV: lock token ('' for none), lock ttl ms.
 * Reply: one readEntryScript reply per pair, in order.
 */
export const readEntriesScript = defineScript<ReadEntryReply[]>({
  name: 'cache-read-entries',
  lua: `${luaMicroClock}
local now = now_ms()
local us = now_us()
local out = {}
for i = 1, #KEYS, 2 do
  local h = redis.call('HMGET', KEYS[i], 'v', 'k', 'f', 's', 'e', 't', 'c')
  local locked = 0
  local fresh = h[1] and tonumber(h[3]) > now
  if not fresh and ARGV[1] ~= '' then
    if redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then locked = 1 end
  end
  if not h[1] then
    out[#out + 1] = {now, us, locked}
  else
    out[#out + 1] = {now, us, locked, h[1], h[2], tonumber(h[3]), tonumber(h[4]), tonumber(h[5]), h[6] or '', tonumber(h[7])}
  end
end
return out
`,
  memory: (context, keys, args) => {
    const replies: ReadEntryReply[] = [];
    for (let i = 0; i < keys.length; i += 2) {
      replies.push(readEntryScript.memory(context, keys.slice(i, i + 2), args));
    }
    return replies;
  },
});
