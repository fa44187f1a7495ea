import calculateSlot from 'cluster-key-slot';
import { RediwareError } from './errors';

/**
 * Splits keys into the groups one script call may touch together, as lists of indexes into
 * `keys`: one group for every key on a standalone server (which has no slots), one group per
 * cluster slot on a cluster. Batch operations send one call per group, in parallel.
 */
export function groupBySlot(keys: readonly string[], cluster: boolean): number[][] {
  if (keys.length === 0) return [];
  if (!cluster) return [keys.map((_, i) => i)];
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  });
  return [...groups.values()];
}

/** The cluster check of a batch call: its keys may hold different hash tags, but one slot. */
export function assertOneSlot(keys: readonly string[], operation: string): void {
  if (keys.length < 2) return;
  const slot = calculateSlot(keys[0] as string);
  if (keys.every((key) => calculateSlot(key) === slot)) return;
  throw new RediwareError('ERR_RW_CROSS_SLOT', `${operation}: keys are not in one cluster slot`);
}
