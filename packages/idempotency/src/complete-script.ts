import { defineScript, type MemoryScriptContext, type ScriptArg } from '@rediware/core';
import type { MemoryRecord } from './idempotency-record';

/**
 * Turns this owner's in-flight marker into the stored response, kept for `ttl`: 1, or 0 when the
 * marker is no longer this owner's (it expired, and maybe another request took the key).
 * The record's key is published on the settled channel (waiting retries wake).
 * KEYS: record. ARGV: owner, ttl (ms), status, headers (JSON), body, settled channel.
 */
export const completeScript = defineScript<number>({
  name: 'idempotency complete',
  lua: `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'o')
redis.call('HSET', KEYS[1], 's', 'done', 'st', ARGV[3], 'h', ARGV[4], 'b', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[6], KEYS[1])
return 1
`,
  memory: completeMemory,
});

function completeMemory(
  { store, publish }: MemoryScriptContext,
  [record]: readonly string[],
  [owner, ttl, status, headers, body, channel]: readonly ScriptArg[],
): number {
  const found = store.get<MemoryRecord>(record as string);
  if (found?.state !== 'running' || found.owner !== owner) return 0;
  const done: MemoryRecord = {
    state: 'done',
    fingerprint: found.fingerprint,
    status: String(status),
    headers: String(headers),
    body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)),
  };
  store.set(record as string, done, Number(ttl));
  publish(String(channel), record as string);
  return 1;
}
