import { defineScript } from '@rediware/core';

/**
 * Reads a version stamp (of a tag or a namespace). With a keep-alive above 0 (a writer about to
 * record the stamp in an entry), a missing stamp is created with the Redis time as its version and
 * its expiry is pushed to at least the keep-alive, so a stamp outlives every entry that records it.
 * A reader passes 0: a missing stamp stays missing and the entries that recorded it are misses.
 * KEYS: stamp. ARGV: keep-alive ms. Reply: the version, '' when missing.
 */
export const readStampScript = defineScript<string>({
  name: 'cache-read-stamp',
  lua: `
local v = redis.call('GET', KEYS[1])
local keep = tonumber(ARGV[1])
if keep > 0 then
  if not v then
    v = string.format('%d', now_ms())
    redis.call('SET', KEYS[1], v, 'PX', keep)
  elseif redis.call('PTTL', KEYS[1]) < keep then
    redis.call('PEXPIRE', KEYS[1], keep)
  end
end
return v or ''
`,
  memory: ({ store, now }, keys, args) => {
    const stampKey = keys[0] as string;
    const keep = Number(args[0]);
    let version = store.get<string>(stampKey);
    if (keep > 0) {
      if (version === undefined) {
        version = String(now);
        store.set(stampKey, version, keep);
      } else if (store.ttl(stampKey) < keep) store.expire(stampKey, keep);
    }
    return version ?? '';
  },
});
