import { isRedisError } from '@rediware/core';
import type { CacheState } from './cache-state';
import type { BusMessageKind } from './invalidation-bus';

/**
 * Tells the other instances that `key` (an entry or a stamp) changed at Redis time `changedAt`.
 * Best effort: a publish that fails only delays other instances' L1 (bounded by l1.ttl).
 */
export async function publishChange(
  state: CacheState,
  kind: BusMessageKind,
  key: string,
  changedAt?: number,
): Promise<void> {
  try {
    await state.bus.publish(kind, key, changedAt);
  } catch (error) {
    if (!isRedisError(error)) throw error;
    state.reportFailure('publish', error, true);
  }
}
