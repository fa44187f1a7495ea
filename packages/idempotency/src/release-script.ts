import { defineScript, type MemoryScriptContext, type ScriptArg } from '@rediware/core';
import type { MemoryRecord } from './idempotency-record';

/**
 * Deletes this owner's in-flight marker, so a retry runs the handler again: 1, or 0 when the
 * marker is no longer this owner's. The record's key is published on the settled channel (waiting
 * retries wake and take the key). KEYS: record. ARGV: owner, settled channel.
 */
export const releaseScript = defineScript<number>({
  name: 'idempotency release',
  lua: `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], KEYS[1])
return 1
`,
  memory: releaseMemory,
});

function releaseMemory(
  { store, publish }: MemoryScriptContext,
  [record]: readonly string[],
  [owner, channel]: readonly ScriptArg[],
): number {
  const found = store.get<MemoryRecord>(record as string);
  if (found?.state !== 'running' || found.owner !== owner) return 0;
  store.delete(record as string);
  publish(String(channel), record as string);
  return 1;
}
