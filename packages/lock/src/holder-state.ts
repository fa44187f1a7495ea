import type { MemoryStore } from '@rediware/core';

/**
 * The memory backend's twin of a holder key: a mutex is a string (the owner), a semaphore a Map
 * of owner -> expiry, like the Redis sorted set scored by expiry. Expired members are pruned the
 * way ZREMRANGEBYSCORE does in the Lua scripts.
 */
export type Holders = string | Map<string, number>;

export function liveSemaphore(store: MemoryStore, key: string, now: number): Map<string, number> | undefined {
  const holders = store.get<Holders>(key);
  if (!(holders instanceof Map)) return undefined;
  for (const [owner, expiresAt] of holders) if (expiresAt <= now) holders.delete(owner);
  if (holders.size === 0) {
    store.delete(key);
    return undefined;
  }
  return holders;
}

/** Keeps the key alive exactly as long as its longest-lived member, as the scripts' PEXPIRE does. */
export function storeSemaphore(
  store: MemoryStore,
  key: string,
  holders: Map<string, number>,
  now: number,
): void {
  store.set(key, holders, Math.max(...holders.values()) - now);
}
