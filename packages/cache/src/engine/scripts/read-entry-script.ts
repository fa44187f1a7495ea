import { defineScript } from '@rediware/core';
import type { EntryRecord } from '../stored-entry';
import { luaMicroClock } from './micro-clock';

/**
 * Reads an entry and, when it is not fresh and a lock token is given, tries to take the loader
 * lock in the same round trip (SET NX PX; the lock shares the entry's hash tag).
 * KEYS: entry, lock. ARGV: lock token ('' for none), lock ttl ms.
 * Reply: [now, now in µs, locked] for a missing entry, else [now, now in µs, locked, value, kind,
 * fresh-until, stale-until, error-until, stamps, created-at]. The µs time orders this read against
 * changes announced on the bus (see L1Tier).
 */
export type ReadEntryReply =
  | [number, number, number]
  | [number, number, number, Buffer, Buffer, number, number, number, Buffer, number];

/**
 * `read_entry(entry, lock, token, lock ttl)`: readEntryScript's work and reply, for the scripts that
 * read an entry along with more (readEntryStampsScript).
 */
export const luaReadEntry = `${luaMicroClock}
local function read_entry(entry, lock, token, ttl)
  local us = now_us()
  local now = math.floor(us / 1000)
  local h = redis.call('HMGET', entry, 'v', 'k', 'f', 's', 'e', 't', 'c')
  local locked = 0
  local fresh = h[1] and tonumber(h[3]) > now
  if not fresh and token ~= '' then
    if redis.call('SET', lock, token, 'NX', 'PX', ttl) then locked = 1 end
  end
  if not h[1] then return {now, us, locked} end
  return {now, us, locked, h[1], h[2], tonumber(h[3]), tonumber(h[4]), tonumber(h[5]), h[6] or '', tonumber(h[7])}
end
`;

export const readEntryScript = defineScript<ReadEntryReply>({
  name: 'cache-read-entry',
  lua: `${luaReadEntry}
return read_entry(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
`,
  memory: ({ store, now }, keys, args) => {
    const [entryKey, lockKey] = keys as [string, string];
    const token = String(args[0]);
    const record = store.get<EntryRecord>(entryKey);
    let locked = 0;
    if ((!record || record.f <= now) && token !== '' && !store.has(lockKey)) {
      store.set(lockKey, token, Number(args[1]));
      locked = 1;
    }
    if (!record) return [now, now * 1000, locked];
    return [
      now,
      now * 1000,
      locked,
      record.v,
      Buffer.from(record.k),
      record.f,
      record.s,
      record.e,
      Buffer.from(record.t),
      record.c,
    ];
  },
});
