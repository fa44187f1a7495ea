import { defineScript } from '@rediware/core';
import { luaReadEntry, type ReadEntryReply, readEntryScript } from './read-entry-script';

/**
 * readEntryScript and the versions of the stamps the caller's entry depends on, in one round trip,
 * for keys that a script may reach together (a standalone server): `wrap` checks the entry's
 * stamps with them and, when it loads, captures them for the settle, with no second round trip.
 * KEYS: entry, lock, then the stamps. ARGV: as readEntryScript.
 * Reply: the stamps' versions in order ('' when missing), then readEntryScript's reply.
 */
export type ReadEntryStampsReply = [Array<string | Buffer>, ...ReadEntryReply];

export const readEntryStampsScript = defineScript<ReadEntryStampsReply>({
  name: 'cache-read-entry-stamps',
  lua: `${luaReadEntry}
local versions = {}
for i = 3, #KEYS do versions[i - 2] = redis.call('GET', KEYS[i]) or '' end
local reply = read_entry(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
table.insert(reply, 1, versions)
return reply
`,
  memory: (context, keys, args) => {
    const versions = keys.slice(2).map((key) => context.store.get<string>(key) ?? '');
    return [versions, ...readEntryScript.memory(context, keys.slice(0, 2), args)] as ReadEntryStampsReply;
  },
});
