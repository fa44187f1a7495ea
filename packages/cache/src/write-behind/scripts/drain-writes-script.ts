import { defineScript } from '@rediware/core';
import { memoryStream, type StreamEntry } from './memory-stream';

/** 1 and then id, key, namespace, value, kind per entry; or 0 alone when another worker holds the stream. */
export type DrainReply = [number, ...(Buffer | string)[]];

/**
 * One worker drains a stream at a time (the lease), which keeps writes to one key in order across
 * workers. Taking a lease that lapsed (its holder crashed, or stopped) claims every entry the
 * previous holders read and did not acknowledge; the holder then re-reads its own pending entries
 * (a failed flush is retried before anything newer) and only then new ones.
 * KEYS: stream, lease. ARGV: group, consumer, lease ms, count. Reply: see DrainReply.
 */
export const drainWritesScript = defineScript<DrainReply>({
  name: 'cache-drain-writes',
  lua: `
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[2] then return {0} end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
if not owner then
  local cursor = '0-0'
  repeat
    cursor = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, cursor, 'COUNT', 100, 'JUSTID')[1]
  until cursor == '0-0'
end
local read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[4], 'STREAMS', KEYS[1], '0')
local entries = read[1][2]
if #entries == 0 then
  read = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[4], 'STREAMS', KEYS[1], '>')
  entries = read and read[1][2] or {}
end
local out = {1}
for _, entry in ipairs(entries) do
  local fields = {}
  local list = entry[2]
  for i = 1, #list, 2 do fields[list[i]] = list[i + 1] end
  out[#out + 1] = entry[1]
  out[#out + 1] = fields.k
  out[#out + 1] = fields.n
  out[#out + 1] = fields.v
  out[#out + 1] = fields.c
end
return out
`,
  memory: ({ store }, keys, args) => {
    const [streamKey, leaseKey] = keys as [string, string];
    const [, consumer, leaseMs, count] = args.map(String) as [string, string, string, string];
    const owner = store.get<string>(leaseKey);
    if (owner !== undefined && owner !== consumer) return [0];
    store.set(leaseKey, consumer, Number(leaseMs));
    const stream = memoryStream(store, streamKey);
    if (owner === undefined) stream.claimAll(consumer);
    const pending = stream.readPending(consumer, Number(count));
    const entries: StreamEntry[] = pending.length > 0 ? pending : stream.readNew(consumer, Number(count));
    return [1, ...entries.flatMap((entry) => [entry.id, ...entry.fields])];
  },
});
