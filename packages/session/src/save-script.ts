import { defineScript } from '@rediware/core';
import { asRecord } from './session-record';

/** What a save did. */
export const SaveStatus = {
  /** The id was destroyed a moment ago: nothing was written (no resurrection). */
  destroyed: 0,
  written: 1,
  /** A touch of a session that is not stored: nothing was written. */
  missing: 2,
  /** The expiry was in the past: the session was deleted. */
  deleted: 3,
} as const;

/** [status, the previous owner or ''] */
export type SaveReply = [status: number, previousUser: string];

/**
 * Writes a session (`set`) or moves its expiry (`touch`), unless its id carries a tombstone.
 * A key of another type (a string, a list...) is no session: a set replaces it, a touch leaves
 * it, and neither fails with WRONGTYPE.
 * With `persist` ('1', the `disableTTL` option) the key keeps no expiry; a ttl of 0 or less still
 * deletes.
 * KEYS: data, tombstone. ARGV: mode, ttl ms, expires, data, user, deadline (epoch ms of the expiry,
 * '' with persist), persist.
 */
export const saveSessionScript = defineScript<SaveReply>({
  name: 'session-save',
  lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return {0, ''} end
local isHash = redis.call('TYPE', KEYS[1]).ok == 'hash'
local previous = isHash and (redis.call('HGET', KEYS[1], 'user') or '') or ''
local ttl = tonumber(ARGV[2])
if ARGV[1] == 'touch' and not isHash then return {2, ''} end
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  return {3, previous}
end
if ARGV[1] == 'touch' then
  redis.call('HSET', KEYS[1], 'expires', ARGV[3], 'deadline', ARGV[6])
else
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'data', ARGV[4], 'expires', ARGV[3], 'user', ARGV[5], 'deadline', ARGV[6])
end
if ARGV[7] == '1' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ttl) end
return {1, previous}
`,
  memory({ store }, keys, args) {
    const [dataKey, tombstoneKey] = keys as [string, string];
    const [mode, ttlArg, expires, data, user, deadline, persist] = args.map(String) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    if (store.has(tombstoneKey)) return [0, ''];
    const existing = asRecord(store.get(dataKey));
    const previous = existing?.user ?? '';
    const ttl = Number(ttlArg);
    if (mode === 'touch' && existing === undefined) return [2, ''];
    if (ttl <= 0) {
      store.delete(dataKey);
      return [3, previous];
    }
    const record =
      mode === 'touch' && existing ? { ...existing, expires, deadline } : { data, expires, user, deadline };
    store.set(dataKey, record, persist === '1' ? undefined : ttl);
    return [1, previous];
  },
});
