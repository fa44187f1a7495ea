import type { MemoryStore } from '@rediware/core';

/**
 * The memory backend's twin of a user's sorted set: session storage id -> expiry (epoch ms).
 * Redis keeps it as a ZSET under the user's hash tag.
 */
export type UserIndex = Map<string, number>;

export function userIndexOf(store: MemoryStore, key: string): UserIndex | undefined {
  const value = store.get(key);
  return value instanceof Map ? (value as UserIndex) : undefined;
}

/** ZREMRANGEBYSCORE -inf now: entries whose session has surely expired. */
export function pruneUserIndex(index: UserIndex, now: number): void {
  for (const [member, expiresAt] of index) if (expiresAt <= now) index.delete(member);
}
