import { defineScript, type ScriptArg } from '@rediware/core';
import { luaMicroClock } from './micro-clock';
import { writeEntryScript } from './write-entry-script';

/**
 * The batch form of writeEntryScript, for the keys of one slot group, in one round trip: every
 * entry shares the windows and stamps (one call's options); an entry of kind 'd' is deleted
 * instead. Each loader lock still held with the token is released. The bus message naming every
 * key is published by the script itself, with the write's time, so no second round trip is needed.
 * KEYS: entry and lock of each key, in pairs. ARGV: fresh ms, stale-while-revalidate ms,
 * stale-if-error ms, stamps, lock token ('' for none), bus channel, bus message up to its time,
 * then kind and value of each entry. Reply: the Redis time of the write in µs.
 */
export const writeEntriesScript = defineScript<number>({
  name: 'cache-write-entries',
  lua: `${luaMicroClock}
local now = now_ms()
local f = now + tonumber(ARGV[1])
local s = f + tonumber(ARGV[2])
local e = f + tonumber(ARGV[3])
for i = 1, #KEYS, 2 do
  local kind = ARGV[7 + i]
  redis.call('DEL', KEYS[i])
  if kind ~= 'd' then
    redis.call('HSET', KEYS[i], 'v', ARGV[8 + i], 'k', kind, 'f', string.format('%d', f),
      's', string.format('%d', s), 'e', string.format('%d', e), 't', ARGV[4], 'c', string.format('%d', now))
    redis.call('PEXPIRE', KEYS[i], math.max(s, e) - now)
  end
  if ARGV[5] ~= '' and redis.call('GET', KEYS[i + 1]) == ARGV[5] then redis.call('DEL', KEYS[i + 1]) end
end
local us = now_us()
redis.call('PUBLISH', ARGV[6], ARGV[7] .. string.format('%d', us) .. '}')
return us
`,
  memory: (context, keys, args) => {
    const [freshMs, staleMs, errorMs, stamps, token, channel, head] = args;
    for (let i = 0; i < keys.length; i += 2) {
      const pair = keys.slice(i, i + 2);
      const kind = String(args[7 + i]);
      if (kind === 'd') {
        context.store.delete(pair[0] as string);
        if (token !== '' && context.store.get(pair[1] as string) === String(token))
          context.store.delete(pair[1] as string);
      } else {
        const value = args[8 + i] as Buffer;
        writeEntryScript.memory(context, pair, [
          value,
          kind,
          freshMs,
          staleMs,
          errorMs,
          stamps,
          token,
        ] as ScriptArg[]);
      }
    }
    const us = context.now * 1000;
    context.publish(String(channel), `${String(head)}${us}}`);
    return us;
  },
});
