import type { Address } from './redis-command';
import { redisCommand } from './redis-command';

/** Every key on one Redis server, by SCAN (never KEYS), for "nothing outside the prefix" checks. */
export async function allKeys(address: Address): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await redisCommand(address, ['SCAN', cursor, 'COUNT', 1000])) as [
      string,
      string[],
    ];
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}
