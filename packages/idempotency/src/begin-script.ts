import { defineScript, type MemoryScriptContext, type ScriptArg } from '@rediware/core';
import type { MemoryRecord } from './idempotency-record';

/**
 * `['run', fencingToken]` when this request took the in-flight marker; `['done', status, headers,
 * body]` for a stored response; `['busy', msLeft]` while another request runs; `['mismatch']`
 * when the key was used with another fingerprint. Read with `buffers: true` (the body is bytes).
 */
export type BeginReply = readonly (Buffer | string | number)[];

/**
 * Reads the record, compares the fingerprint and takes the in-flight marker, in one script: one
 * round trip per decision, and two requests can never both take it. The fencing token is the
 * slot's counter plus one; a missing counter starts at Redis's clock in microseconds, as the
 * lock's does, so tokens never repeat or go back even after Redis lost its data.
 * KEYS: record, slot fence. ARGV: fingerprint, owner, in-flight ttl (ms).
 */
export const beginScript = defineScript<BeginReply>({
  name: 'idempotency begin',
  lua: `
local record = redis.call('HMGET', KEYS[1], 's', 'fp', 'st', 'h', 'b')
if record[1] then
  if record[2] ~= ARGV[1] then return { 'mismatch' } end
  if record[1] == 'done' then return { 'done', record[3], record[4], record[5] } end
  return { 'busy', math.max(redis.call('PTTL', KEYS[1]), 0) }
end
local token = redis.call('INCR', KEYS[2])
if token == 1 then
  local t = redis.call('TIME')
  token = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SET', KEYS[2], token)
end
redis.call('HSET', KEYS[1], 's', 'running', 'fp', ARGV[1], 'o', ARGV[2], 'f', token)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return { 'run', token }
`,
  memory: beginMemory,
});

function beginMemory(
  { store, now }: MemoryScriptContext,
  [record, slotFence]: readonly string[],
  [fingerprint, owner, ttl]: readonly ScriptArg[],
): BeginReply {
  const found = store.get<MemoryRecord>(record as string);
  if (found !== undefined) {
    if (found.fingerprint !== fingerprint) return ['mismatch'];
    if (found.state === 'done') return ['done', found.status, found.headers, found.body];
    return ['busy', Math.max(store.ttl(record as string), 0)];
  }
  const counted = (store.get<number>(slotFence as string) ?? 0) + 1;
  const fencingToken = counted === 1 ? now * 1000 : counted;
  store.set(slotFence as string, fencingToken);
  const marker: MemoryRecord = {
    state: 'running',
    fingerprint: String(fingerprint),
    owner: String(owner),
    fencingToken,
  };
  store.set(record as string, marker, Number(ttl));
  return ['run', fencingToken];
}
