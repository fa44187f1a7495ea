import { defineScript } from '@rediware/core';
import type { ValueKind } from '../../codec/value-codec';
import type { EntryRecord } from '../stored-entry';
import { luaMicroClock } from './micro-clock';

/**
 * Replaces an entry: value, kind, its three windows (from Redis TIME, so every app server agrees)
 * and the stamps it depends on. The key lives until the end of its longest window, or of the
 * keep time after freshness (a kept entry is only read by the next loader). When a lock token is
 * given, the loader lock is released in the same round trip if it is still ours.
 * KEYS: entry, lock. ARGV: value, kind, fresh ms, stale-while-revalidate ms, stale-if-error ms,
 * stamps, lock token ('' for none), keep ms (optional, 0), then optionally the bus channel and the
 * bus message up to its time: the write is announced from the script (no round trip of its own).
 * Reply: the Redis time of the write in µs (see L1Tier).
 */
export const writeEntryScript = defineScript<number>({
  name: 'cache-write-entry',
  lua: `${luaMicroClock}
local now = now_ms()
local f = now + tonumber(ARGV[3])
local s = f + tonumber(ARGV[4])
local e = f + tonumber(ARGV[5])
local k = f + tonumber(ARGV[8] or '0')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'k', ARGV[2], 'f', string.format('%d', f),
  's', string.format('%d', s), 'e', string.format('%d', e), 't', ARGV[6], 'c', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.max(s, e, k) - now)
if ARGV[7] ~= '' and redis.call('GET', KEYS[2]) == ARGV[7] then redis.call('DEL', KEYS[2]) end
local us = now_us()
if ARGV[9] then redis.call('PUBLISH', ARGV[9], ARGV[10] .. string.format('%d', us) .. '}') end
return us
`,
  memory: ({ store, now, publish }, keys, args) => {
    const [entryKey, lockKey] = keys as [string, string];
    const [value, kind, freshMs, staleMs, errorMs, stamps, token, keepMs, channel, head] = args;
    const f = now + Number(freshMs);
    const record: EntryRecord = {
      v: Buffer.from(value as Buffer),
      k: String(kind) as ValueKind,
      f,
      s: f + Number(staleMs),
      e: f + Number(errorMs),
      t: String(stamps),
      c: now,
    };
    store.set(entryKey, record, Math.max(record.s, record.e, f + Number(keepMs ?? 0)) - now);
    if (token !== '' && store.get(lockKey) === String(token)) store.delete(lockKey);
    if (channel !== undefined) publish(String(channel), `${String(head)}${now * 1000}}`);
    return now * 1000;
  },
});
