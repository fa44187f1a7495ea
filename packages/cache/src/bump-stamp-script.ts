import { defineScript } from '@rediware/core';

/**
 * Moves a version stamp forward (to the Redis time, or one past the old version if that is
 * later), keeping its expiry: every entry that recorded the old version becomes a miss. A missing
 * stamp is left missing: entries that recorded it are already misses.
 * KEYS: stamp. Reply: 1 when the stamp existed.
 */
export const bumpStampScript = defineScript<number>({
  name: 'cache-bump-stamp',
  lua: `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local v = math.max(now_ms(), tonumber(current) + 1)
redis.call('SET', KEYS[1], string.format('%d', v), 'KEEPTTL')
return 1
`,
  memory: ({ store, now }, keys) => {
    const stampKey = keys[0] as string;
    const current = store.get<string>(stampKey);
    if (current === undefined) return 0;
    store.replace(stampKey, String(Math.max(now, Number(current) + 1)));
    return 1;
  },
});
