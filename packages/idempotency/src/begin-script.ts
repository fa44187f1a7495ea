import { defineScript, type MemoryScriptContext, type ScriptArg } from '@rediware/core';
import type { MemoryRecord } from './idempotency-record';
import { memoryRecordCorruption } from './record-shape';

/**
 * `['run', fencingToken, corruption?]` when this request took the in-flight marker (with why the
 * record it replaced was corrupt, if it was); `['done', status, headers, body]` for a stored
 * response; `['busy', msLeft]` while another request runs; `['mismatch']` when the key was used
 * with another fingerprint. Read with `buffers: true` (the body is bytes).
 */
export type BeginReply = readonly (Buffer | string | number)[];

/**
 * Reads the record, compares the fingerprint and takes the in-flight marker, in one script: one
 * round trip per decision, and two requests can never both take it. The fencing token is the
 * slot's counter plus one; a missing counter starts at Redis's clock in microseconds, as the
 * lock's does, so tokens never repeat or go back even after Redis lost its data.
 *
 * A record this package could not have written (record-shape.ts) is taken over as if absent, in
 * the same script, so two requests never both take over one corrupt record. The headers are
 * checked in TypeScript: `corruptHeaders`, when given, are headers already found corrupt, and a
 * done record that still holds exactly them is taken over.
 * KEYS: record, slot fence. ARGV: fingerprint, owner, in-flight ttl (ms), corruptHeaders?.
 */
export const beginScript = defineScript<BeginReply>({
  name: 'idempotency begin',
  lua: `
local function corruption(record, pttl)
  local state = record[1]
  if state ~= 'running' and state ~= 'done' then return 'its state is neither running nor done' end
  if not record[2] then return 'it has no fingerprint' end
  if state == 'running' then
    if pttl < 0 then return 'its in-flight marker never expires' end
    return false
  end
  if not (record[3] and string.match(record[3], '^[2-5]%d%d$')) then return 'its status is no HTTP status' end
  if not record[4] or record[4] == ARGV[4] then return 'its headers are no JSON object of header fields' end
  if not record[5] then return 'it has no body' end
  return false
end
local reason = false
local record = redis.pcall('HMGET', KEYS[1], 's', 'fp', 'st', 'h', 'b')
if record.err then
  reason = 'the key holds a ' .. redis.call('TYPE', KEYS[1])['ok'] .. ', not a hash'
elseif record[1] or redis.call('EXISTS', KEYS[1]) == 1 then
  -- Only a marker's expiry matters (a replay needs none): one command for a replay, as before.
  local pttl = -2
  if record[1] == 'running' then pttl = redis.call('PTTL', KEYS[1]) end
  reason = corruption(record, pttl)
  if not reason then
    if record[2] ~= ARGV[1] then return { 'mismatch' } end
    if record[1] == 'done' then return { 'done', record[3], record[4], record[5] } end
    return { 'busy', math.max(pttl, 0) }
  end
end
if reason then redis.call('DEL', KEYS[1]) end
-- A fence of another type is taken as lost data: restarted from the clock, as when missing.
local token = redis.pcall('INCR', KEYS[2])
if type(token) ~= 'number' or token == 1 then
  local t = redis.call('TIME')
  token = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SET', KEYS[2], token)
end
redis.call('HSET', KEYS[1], 's', 'running', 'fp', ARGV[1], 'o', ARGV[2], 'f', token)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if reason then return { 'run', token, reason } end
return { 'run', token }
`,
  memory: beginMemory,
});

function beginMemory(
  { store, now }: MemoryScriptContext,
  [record, slotFence]: readonly string[],
  [fingerprint, owner, ttl, corruptHeaders]: readonly ScriptArg[],
): BeginReply {
  const found = store.get(record as string);
  let reason: string | undefined;
  if (found !== undefined) {
    const ttlLeft = store.ttl(record as string);
    reason = memoryRecordCorruption(
      found,
      ttlLeft,
      corruptHeaders === undefined ? undefined : String(corruptHeaders),
    );
    if (reason === undefined) {
      const valid = found as MemoryRecord;
      if (valid.fingerprint !== fingerprint) return ['mismatch'];
      if (valid.state === 'done') return ['done', valid.status, valid.headers, valid.body];
      return ['busy', Math.max(ttlLeft, 0)];
    }
    store.delete(record as string);
  }
  const fence = store.get(slotFence as string);
  const counted = typeof fence === 'number' ? fence + 1 : 1;
  const fencingToken = counted === 1 ? now * 1000 : counted;
  store.set(slotFence as string, fencingToken);
  store.set(
    record as string,
    { state: 'running', fingerprint: String(fingerprint), owner: String(owner), fencingToken },
    Number(ttl),
  );
  return reason === undefined ? ['run', fencingToken] : ['run', fencingToken, reason];
}
