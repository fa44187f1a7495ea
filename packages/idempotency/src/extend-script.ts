import { defineScript, type MemoryScriptContext, type ScriptArg } from '@rediware/core';
import type { MemoryRecord } from './idempotency-record';

/**
 * Pushes back the expiry of this owner's in-flight marker while its handler runs: 1, or 0 when
 * the marker is no longer this owner's. KEYS: record. ARGV: owner, in-flight ttl (ms).
 */
export const extendScript = defineScript<number>({
  name: 'idempotency extend',
  lua: `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`,
  memory: extendMemory,
});

function extendMemory(
  { store }: MemoryScriptContext,
  [record]: readonly string[],
  [owner, ttl]: readonly ScriptArg[],
): number {
  const found = store.get<MemoryRecord>(record as string);
  if (found?.state !== 'running' || found.owner !== owner) return 0;
  store.expire(record as string, Number(ttl));
  return 1;
}
