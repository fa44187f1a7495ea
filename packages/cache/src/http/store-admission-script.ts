import { defineScript } from '@rediware/core';

/** Rows of the count-min sketch: a key's count is its smallest counter over the rows. */
export const sketchRows = 4;
/**
 * Counters per row, 4 bits each (counts saturate at 15, the largest `minUses`): a sketch is
 * `sketchRows * sketchWidth / 2` bytes, just under 64 KiB so that the string and its header fit
 * jemalloc's 64 KiB size class.
 */
export const sketchWidth = 32_760;
/** The largest count a counter holds. */
export const maxUses = 15;

/** Why a storable response was or was not stored. */
export const admissionReplies = { stored: 1, unadmitted: 0, overMemory: -1, overEntries: -2 } as const;

/**
 * Whether a storable response may be written, in one round trip before the write: Redis memory
 * first (nothing is written past the ratio, so the check itself never meets OOM), then admission:
 * a key not in the budget index counts one use in this window's count-min sketch and is admitted
 * once its uses over this window and the last reach `min uses`; then the entry budget, the index of
 * entries by expiry (only a member new to it counts against `max entries`). The sketches have a
 * fixed size whatever the number of distinct keys; they only overcount, so a flood of one-off keys
 * can at worst admit some of them, never keep a popular one out.
 * KEYS: sketch of this window, sketch of the last window, budget index (one hash tag).
 * ARGV: min uses, sketch ttl ms, max entries, max memory permille (0: unchecked), lifetime ms,
 * the key's counter in each row (`sketchRows` values), then the index members of the entry (its key,
 * and its variant's when it varies).
 * Reply: one of `admissionReplies`.
 */
export const storeAdmissionScript = defineScript<number>({
  name: 'cache-store-admission',
  lua: `
local rows = ${sketchRows}
local minUses = tonumber(ARGV[1])
local permille = tonumber(ARGV[4])
if permille > 0 then
  local info = redis.pcall('INFO', 'memory')
  if type(info) == 'string' then
    local used = tonumber(string.match(info, 'used_memory:(%d+)'))
    local max = tonumber(string.match(info, 'maxmemory:(%d+)'))
    if used and max and max > 0 and used * 1000 >= max * permille then return ${admissionReplies.overMemory} end
  end
end
-- The first write is one that Redis refuses when it is out of memory (SET, BITFIELD or ZADD: a
-- script that has written once is let through): nothing is deleted or expired before it.
local now = now_ms()
local new = 0
for i = 6 + rows, #ARGV do
  local expiry = redis.call('ZSCORE', KEYS[3], ARGV[i])
  if not expiry or tonumber(expiry) <= now then new = new + 1 end
end
if new > 0 and minUses > 1 then
  local add, get = {'OVERFLOW', 'SAT'}, {}
  for r = 0, rows - 1 do
    local at = '#' .. (r * ${sketchWidth} + tonumber(ARGV[6 + r]))
    add[#add + 1] = 'INCRBY'; add[#add + 1] = 'u4'; add[#add + 1] = at; add[#add + 1] = 1
    get[#get + 1] = 'GET'; get[#get + 1] = 'u4'; get[#get + 1] = at
  end
  -- Created at full size: grown by BITFIELD, the string would take twice its size (greedy growth).
  if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('SET', KEYS[1], string.rep('\\0', rows * ${sketchWidth / 2}), 'PX', ARGV[2])
  end
  local counts = redis.call('BITFIELD', KEYS[1], unpack(add))
  local before = {}
  if redis.call('EXISTS', KEYS[2]) == 1 then before = redis.call('BITFIELD', KEYS[2], unpack(get)) end
  local uses = ${2 * maxUses}
  for r = 1, rows do uses = math.min(uses, counts[r] + (before[r] or 0)) end
  if uses < minUses then return ${admissionReplies.unadmitted} end
end
if new > 0 and redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf') + new > tonumber(ARGV[3]) then
  return ${admissionReplies.overEntries}
end
local lifetime = tonumber(ARGV[5])
for i = 6 + rows, #ARGV do redis.call('ZADD', KEYS[3], now + lifetime, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('PTTL', KEYS[3]) < lifetime then redis.call('PEXPIRE', KEYS[3], lifetime) end
return ${admissionReplies.stored}
`,
  memory: ({ store, now }, keys, args) => {
    const [current, last, indexKey] = keys as [string, string, string];
    const minUses = Number(args[0]);
    const positions = args.slice(5, 5 + sketchRows).map(Number);
    const members = args.slice(5 + sketchRows).map(String);
    // No memory ratio in process memory: the memory backend is bounded by its own LRU cap.
    const index = store.get<Map<string, number>>(indexKey) ?? new Map<string, number>();
    for (const [member, expiry] of index) if (expiry <= now) index.delete(member);
    const fresh = members.filter((member) => !index.has(member));
    if (fresh.length > 0 && minUses > 1) {
      let sketch = store.get<Uint8Array>(current);
      if (!sketch) {
        sketch = new Uint8Array(sketchRows * sketchWidth);
        store.set(current, sketch, Number(args[1]));
      }
      const before = store.get<Uint8Array>(last);
      let uses = Number.POSITIVE_INFINITY;
      positions.forEach((position, row) => {
        const at = row * sketchWidth + position;
        sketch[at] = Math.min(maxUses, (sketch[at] ?? 0) + 1);
        uses = Math.min(uses, (sketch[at] ?? 0) + (before?.[at] ?? 0));
      });
      if (uses < minUses) return admissionReplies.unadmitted;
    }
    if (fresh.length > 0 && index.size + fresh.length > Number(args[2])) return admissionReplies.overEntries;
    const lifetime = Number(args[4]);
    for (const member of members) index.set(member, now + lifetime);
    store.set(indexKey, index, Math.max(lifetime, store.ttl(indexKey)));
    return admissionReplies.stored;
  },
});
