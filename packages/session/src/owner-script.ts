import { defineScript } from '@rediware/core';
import { asRecord } from './session-record';

/** The owner of a live session, or null when it is gone or anonymous: checks an index entry. */
export const sessionOwnerScript = defineScript<string | null>({
  name: 'session-owner',
  lua: `
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return false end
local user = redis.call('HGET', KEYS[1], 'user')
if not user or user == '' then return false end
return user
`,
  memory({ store }, keys) {
    const user = asRecord(store.get(keys[0] as string))?.user;
    return user === undefined || user === '' ? null : user;
  },
});
