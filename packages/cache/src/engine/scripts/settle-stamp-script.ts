import { defineScript } from '@rediware/core';

/**
 * A writer's last look at a stamp before it records it in an entry. With a check, the stamp must
 * still hold the version read before the loader ran ('' for missing, which an unbumped '0' also
 * matches: another writer created it meanwhile); otherwise the reply is '' and nothing changes. A
 * missing stamp is created as '0' (a bump always moves it past 0), and its expiry is pushed to at
 * least the keep-alive, so a stamp outlives every entry that records it.
 * KEYS: stamp. ARGV: keep-alive ms, check ('1' or '0'), expected version.
 * Reply: the version to record, '' when the stamp moved.
 */
export const settleStampScript = defineScript<string>({
  name: 'cache-settle-stamp',
  lua: `
local v = redis.call('GET', KEYS[1])
local keep = tonumber(ARGV[1])
if ARGV[2] == '1' then
  if ARGV[3] == '' then
    if v and v ~= '0' then return '' end
  elseif v ~= ARGV[3] then
    return ''
  end
end
if not v then
  v = '0'
  redis.call('SET', KEYS[1], v, 'PX', keep)
elseif redis.call('PTTL', KEYS[1]) < keep then
  redis.call('PEXPIRE', KEYS[1], keep)
end
return v
`,
  memory: ({ store }, keys, args) => {
    const stampKey = keys[0] as string;
    const [keepAlive, check, expected] = args.map(String);
    const keep = Number(keepAlive);
    let version = store.get<string>(stampKey);
    if (check === '1') {
      if (expected === '' ? version !== undefined && version !== '0' : version !== expected) return '';
    }
    if (version === undefined) {
      version = '0';
      store.set(stampKey, version, keep);
    } else if (store.ttl(stampKey) < keep) store.expire(stampKey, keep);
    return version;
  },
});
