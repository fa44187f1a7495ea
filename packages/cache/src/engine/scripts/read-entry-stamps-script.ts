import { defineScript } from '@rediware/core';
import { luaMicroClock } from './micro-clock';
import { type ReadEntryReply, readEntryScript } from './read-entry-script';

/**
 * readEntryScript and the versions of the stamps the caller's entry depends on, in one round trip,
 * for keys that a script may reach together (a standalone server): `wrap` checks the entry's
 * stamps with them and, when it loads, captures them for the settle, with no second round trip.
 * KEYS: entry, lock, then the stamps. ARGV: as readEntryScript.
 * Reply: the stamps' versions in order ('' when missing), then readEntryScript's reply.
 */
export type ReadEntryStampsReply = [Array<string | Buffer>, ...ReadEntryReply];

export const readEntryStampsScript = defineScript<ReadEntryStampsReply>({
  name: 'cache-read-entry-stamps',
  lua: `${luaMicroClock}
local versions = {}
for i = 3, #KEYS do versions[i - 2] = redis.call('GET', KEYS[i]) or '' end
local us = now_us()
local now = math.floor(us / 1000)
local h = redis.call('HMGET', KEYS[1], 'v', 'k', 'f', 's', 'e', 't', 'c')
local locked = 0
local fresh = h[1] and tonumber(h[3]) > now
if not fresh and ARGV[1] ~= '' then
  if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then locked = 1 end
end
if not h[1] then return {versions, now, us, locked} end
return {versions, now, us, locked, h[1], h[2], tonumber(h[3]), tonumber(h[4]), tonumber(h[5]), h[6] or '', tonumber(h[7])}
`,
  memory: (context, keys, args) => {
    const versions = keys.slice(2).map((key) => context.store.get<string>(key) ?? '');
    return [versions, ...readEntryScript.memory(context, keys.slice(0, 2), args)] as ReadEntryStampsReply;
  },
});
