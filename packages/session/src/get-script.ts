import { defineScript } from '@rediware/core';
import { asRecord } from './session-record';

/** [data, expires, user, remaining ms], or null when there is no session. */
export type GetReply = [data: string, expires: string, user: string, pttl: number] | null;

/** Reads a session: one key, one round trip. */
export const getSessionScript = defineScript<GetReply>({
  name: 'session-get',
  lua: `
local fields = redis.call('HMGET', KEYS[1], 'data', 'expires', 'user')
if not fields[1] then return false end
return {fields[1], fields[2] or '', fields[3] or '', redis.call('PTTL', KEYS[1])}
`,
  memory({ store }, keys) {
    const key = keys[0] as string;
    const record = asRecord(store.get(key));
    if (record === undefined) return null;
    return [record.data, record.expires, record.user, store.ttl(key)];
  },
});
