import { defineScript } from '@rediware/core';

/**
 * How long a stamp that an invalidation creates lives. A loader that read the stamp as missing
 * must see it when it writes; one that ran longer than this does not store its value (see
 * VersionStamps.settle). Ten minutes: far past any load worth caching, short enough that
 * invalidating paths nobody stored costs little memory.
 */
export const createdStampTtlMs = 600_000;

/**
 * Moves a version stamp forward (to the Redis time, or one past the old version if that is
 * later): every entry that recorded the old version becomes a miss. A missing stamp is created
 * (with the Redis time, never '0'). Either way it then lives at least `createdStampTtlMs`, so a
 * loader that read it before (missing, or as '0', a version a stamp created again takes) and is
 * still running finds it moved when it writes.
 * KEYS: stamp. ARGV: ttl ms of a created stamp. Reply: 1 when the stamp existed, 0 when created.
 */
export const bumpStampScript = defineScript<number>({
  name: 'cache-bump-stamp',
  lua: `
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], string.format('%d', math.max(now_ms(), 1)), 'PX', ARGV[1])
  return 0
end
local v = math.max(now_ms(), tonumber(current) + 1)
redis.call('SET', KEYS[1], string.format('%d', v), 'KEEPTTL')
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`,
  memory: ({ store, now }, keys, args) => {
    const stampKey = keys[0] as string;
    const current = store.get<string>(stampKey);
    if (current === undefined) {
      store.set(stampKey, String(Math.max(now, 1)), Number(args[0]));
      return 0;
    }
    store.replace(stampKey, String(Math.max(now, Number(current) + 1)));
    const ttl = store.ttl(stampKey);
    if (ttl >= 0 && ttl < Number(args[0])) store.expire(stampKey, Number(args[0]));
    return 1;
  },
});
