import { defineScript, type MemoryScriptContext, type ScriptArg } from '@rediware/core';
import { encodeStamps } from '../stored-entry';
import { luaMicroClock } from './micro-clock';
import { settleStampScript } from './settle-stamp-script';
import { writeEntryScript } from './write-entry-script';

/**
 * `give_back(lock, token, channel, head)`: gives the loader lock back if still held with `token`
 * ('' for none: nothing to do) and publishes a release (time 0: wake the waiters, evict nothing).
 */
export const luaGiveBack = `local function give_back(lock, token, channel, head)
  if token == '' then return end
  if redis.call('GET', lock) == token then redis.call('DEL', lock) end
  redis.call('PUBLISH', channel, head .. '0}')
end
`;

/** The memory twin of `give_back`. */
export function giveBack(
  context: MemoryScriptContext,
  lock: string,
  token: ScriptArg | undefined,
  channel: ScriptArg | undefined,
  head: ScriptArg | undefined,
): void {
  if (token === '' || token === undefined) return;
  if (context.store.get(lock) === String(token)) context.store.delete(lock);
  context.publish(String(channel), `${String(head)}0}`);
}

/**
 * A loader's whole write in one round trip, for keys that a script may reach together (a
 * standalone server): settleStampScript for every stamp (all checked before any is created or
 * kept alive), then writeEntryScript (which gives the loader lock back) and the bus message with
 * the write's time. When a stamp moved since it was captured, nothing is written: the lock is
 * given back if still ours and a release message (time 0: wake the waiters, evict nothing) is
 * published instead.
 * KEYS: entry, lock, then the stamps. ARGV: value, kind, fresh ms, stale-while-revalidate ms,
 * stale-if-error ms, lock token ('' for none), keep ms, stamp keep-alive ms, bus channel, bus
 * message up to its time, then for each stamp: check ('1' or '0') and expected version (as
 * settleStampScript's). Reply: [0] when a stamp moved, else [1, write time in µs, the versions
 * recorded, in order].
 */
export const writeEntrySettledScript = defineScript<Array<number | string>>({
  name: 'cache-write-entry-settled',
  lua: `${luaMicroClock}${luaGiveBack}
local n = #KEYS - 2
local found = {}
for i = 1, n do
  local v = redis.call('GET', KEYS[i + 2])
  local check, expected = ARGV[9 + 2 * i], ARGV[10 + 2 * i]
  local moved = false
  if check == '1' then
    if expected == '' then moved = v and v ~= '0' else moved = v ~= expected end
  end
  if moved then
    give_back(KEYS[2], ARGV[6], ARGV[9], ARGV[10])
    return {0}
  end
  found[i] = v
end
local keep = tonumber(ARGV[8])
local recorded = {}
local refs = {}
for i = 1, n do
  local v = found[i]
  if not v then
    v = '0'
    redis.call('SET', KEYS[i + 2], v, 'PX', keep)
  elseif redis.call('PTTL', KEYS[i + 2]) < keep then
    redis.call('PEXPIRE', KEYS[i + 2], keep)
  end
  recorded[i] = v
  refs[i] = {KEYS[i + 2], v}
end
local stamps = ''
if n > 0 then stamps = cjson.encode(refs) end
local us = now_us()
local now = math.floor(us / 1000)
local f = now + tonumber(ARGV[3])
local s = f + tonumber(ARGV[4])
local e = f + tonumber(ARGV[5])
local k = f + tonumber(ARGV[7])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'k', ARGV[2], 'f', string.format('%d', f),
  's', string.format('%d', s), 'e', string.format('%d', e), 't', stamps, 'c', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.max(s, e, k) - now)
if ARGV[6] ~= '' and redis.call('GET', KEYS[2]) == ARGV[6] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[9], ARGV[10] .. string.format('%d', us) .. '}')
local reply = {1, us}
for i = 1, n do reply[i + 2] = recorded[i] end
return reply
`,
  memory: (context, keys, args) => {
    const { store } = context;
    const [value, kind, freshMs, staleMs, errorMs, token, keepMs, keepAlive, channel, head] = args;
    const stampKeys = keys.slice(2);
    for (const [i, key] of stampKeys.entries()) {
      const version = store.get<string>(key);
      const expected = String(args[11 + 2 * i]);
      const moved =
        String(args[10 + 2 * i]) === '1' &&
        (expected === '' ? version !== undefined && version !== '0' : version !== expected);
      if (!moved) continue;
      giveBack(context, keys[1] as string, token, channel, head);
      return [0];
    }
    const recorded = stampKeys.map((key) =>
      String(settleStampScript.memory(context, [key], [keepAlive as ScriptArg, '0', ''])),
    );
    const stamps = encodeStamps(stampKeys.map((key, i) => ({ key, version: recorded[i] as string })));
    const writeArgs: ScriptArg[] = [
      value as ScriptArg,
      kind as ScriptArg,
      freshMs as ScriptArg,
      staleMs as ScriptArg,
      errorMs as ScriptArg,
      stamps,
      token as ScriptArg,
      keepMs as ScriptArg,
    ];
    const us = writeEntryScript.memory(context, keys.slice(0, 2), writeArgs);
    context.publish(String(channel), `${String(head)}${us}}`);
    return [1, us, ...recorded];
  },
});
