import { RediwareError } from './errors';
import { hashTagOf } from './keys';

/**
 * Every key of one script must hash to one slot or Redis Cluster refuses it. Checked on every
 * backend, so a cross-slot bug shows up in the memory and standalone tests too.
 */
export function assertSameSlot(keys: readonly string[], operation: string): void {
  if (keys.length < 2) return;
  const tag = hashTagOf(keys[0] as string);
  for (let i = 1; i < keys.length; i++) {
    if (hashTagOf(keys[i] as string) !== tag) {
      throw new RediwareError(
        'ERR_RW_CROSS_SLOT',
        `${operation}: keys do not share one hash tag: ${keys.join(', ')}`,
      );
    }
  }
}
