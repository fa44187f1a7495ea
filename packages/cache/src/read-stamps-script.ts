import { defineScript } from '@rediware/core';
import { readStampScript } from './read-stamp-script';

/**
 * The batch form of readStampScript, for the stamps of one slot group, in one round trip.
 * KEYS: stamps. ARGV: keep-alive ms (0 for a reader). Reply: the versions in order ('' when missing).
 */
export const readStampsScript = defineScript<string[]>({
  name: 'cache-read-stamps',
  lua: `
local keep = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if keep > 0 then
    if not v then
      v = string.format('%d', now_ms())
      redis.call('SET', KEYS[i], v, 'PX', keep)
    elseif redis.call('PTTL', KEYS[i]) < keep then
      redis.call('PEXPIRE', KEYS[i], keep)
    end
  end
  out[i] = v or ''
end
return out
`,
  memory: (context, keys, args) => keys.map((key) => readStampScript.memory(context, [key], args)),
});
