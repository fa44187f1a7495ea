import { defineScript } from '@rediware/core';
import { readStampScript } from './read-stamp-script';

/**
 * The batch form of readStampScript, for the stamps of one slot group, in one round trip.
 * KEYS: stamps. Reply: the versions in order ('' when missing).
 */
export const readStampsScript = defineScript<string[]>({
  name: 'cache-read-stamps',
  lua: `
local out = {}
for i = 1, #KEYS do
  out[i] = redis.call('GET', KEYS[i]) or ''
end
return out
`,
  memory: (context, keys, args) => keys.map((key) => readStampScript.memory(context, [key], args)),
});
