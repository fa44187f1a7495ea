import { defineScript } from '@rediware/core';
import { asRecord } from './session-record';

/** [1 when a session was deleted else 0, its owner or ''] */
export type DestroyReply = [deleted: number, user: string];

/**
 * Deletes a session and leaves a short-lived tombstone on its id, which the save script checks,
 * so a slow request that saves after this cannot bring the session back. With an expected owner
 * (ARGV[2]), a session that now belongs to someone else is left alone. A key of another type is
 * deleted like a session, without failing on WRONGTYPE.
 * A tombstone ttl of 0 (`tombstoneTtl: 0`) leaves none.
 * KEYS: data, tombstone. ARGV: tombstone ttl ms, expected owner or ''.
 */
export const destroySessionScript = defineScript<DestroyReply>({
  name: 'session-destroy',
  lua: `
local user = ''
if redis.call('TYPE', KEYS[1]).ok == 'hash' then user = redis.call('HGET', KEYS[1], 'user') or '' end
if ARGV[2] ~= '' and user ~= ARGV[2] then return {0, user} end
local deleted = redis.call('DEL', KEYS[1])
if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end
return {deleted, user}
`,
  memory({ store }, keys, args) {
    const [dataKey, tombstoneKey] = keys as [string, string];
    const user = asRecord(store.get(dataKey))?.user ?? '';
    const owner = String(args[1]);
    if (owner !== '' && user !== owner) return [0, user];
    const deleted = store.has(dataKey) && store.delete(dataKey) ? 1 : 0;
    if (Number(args[0]) > 0) store.set(tombstoneKey, '1', Number(args[0]));
    return [deleted, user];
  },
});
