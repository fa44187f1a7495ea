import { defineScript } from '@rediware/core';
import { luaMicroClock } from './micro-clock';

/**
 * Deletes one entry. KEYS: entry. Reply: the Redis time of the delete in µs (other instances compare it
 * with their reads in flight, see L1Tier).
 */
export const deleteEntryScript = defineScript<number>({
  name: 'cache-delete-entry',
  lua: `${luaMicroClock}
redis.call('DEL', KEYS[1]) return now_us()`,
  memory: ({ store, now }, keys) => {
    store.delete(keys[0] as string);
    return now * 1000;
  },
});
