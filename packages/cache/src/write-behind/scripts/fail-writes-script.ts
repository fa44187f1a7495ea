import { defineScript } from '@rediware/core';
import { memoryStream } from './memory-stream';

/**
 * Counts one failed flush for each entry; an entry that failed `maxRetries` times is copied to the
 * dead-letter stream (with its id and the error) and acknowledged, in the same step, so it is
 * neither lost nor retried again. Entries stay pending otherwise and are retried.
 * KEYS: stream, fails, dead. ARGV: group, maxRetries, error message, ids... Reply: the dead-lettered ids.
 */
export const failWritesScript = defineScript<string[]>({
  name: 'cache-fail-writes',
  lua: `
local dead = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if redis.call('HINCRBY', KEYS[2], id, 1) >= tonumber(ARGV[2]) then
    local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
    if entry then redis.call('XADD', KEYS[3], '*', 'id', id, 'error', ARGV[3], unpack(entry[2])) end
    redis.call('XACK', KEYS[1], ARGV[1], id)
    redis.call('XDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    dead[#dead + 1] = id
  end
end
return dead
`,
  memory: ({ store, now }, keys, args) => {
    const [streamKey, , deadKey] = keys as [string, string, string];
    const stream = memoryStream(store, streamKey);
    const maxRetries = Number(args[1]);
    const dead: string[] = [];
    for (const id of args.slice(3).map(String)) {
      const failures = (stream.failures.get(id) ?? 0) + 1;
      stream.failures.set(id, failures);
      if (failures < maxRetries) continue;
      const fields = stream.get(id);
      if (fields) {
        const meta = ['id', id, 'error', String(args[2])].map((text) => Buffer.from(text));
        memoryStream(store, deadKey).add([...meta, ...deadFields(fields)], now);
      }
      stream.acknowledge([id]);
      dead.push(id);
    }
    return dead;
  },
});

/** The entry's fields with their names, as XRANGE gives them to the Lua script. */
function deadFields(fields: readonly Buffer[]): Buffer[] {
  const names = ['k', 'n', 'v', 'c'];
  return fields.flatMap((value, i) => [Buffer.from(names[i] as string), value]);
}
