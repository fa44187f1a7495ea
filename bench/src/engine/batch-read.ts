import { createCache } from '@rediware/cache';
import type { Address } from '@rediware/testing';
import { Redis } from 'ioredis';
import type { EngineContender, EngineTable } from './measure';

/** Keys per batch, as issue #14 asks: a getMany of 100 keys against 100 single gets. */
const batchSize = 100;
const keys = Array.from({ length: batchSize }, (_, i) => `item:${i}`);
const value = { hello: 'world', n: 42 };

/** One cache (no L1: every read goes to Redis) on its own ioredis client, the 100 keys stored. */
function contender(
  name: string,
  role: EngineContender['role'],
  note: string,
  read: (cache: ReturnType<typeof createCache>) => Promise<unknown>,
): EngineContender {
  return {
    group: 'batch',
    name,
    role,
    note,
    async setup(redis: Address) {
      const client = new Redis(redis.port, redis.host);
      const cache = createCache({ redis: client, ttl: '1h', prefix: 'bench-batch:' });
      await cache.setMany(keys.map((key) => [key, value] as const));
      return {
        op: () => read(cache),
        close: async () => {
          await cache.close();
          client.disconnect();
        },
      };
    },
  };
}

export const batchReadContenders: EngineContender[] = [
  contender(
    `rediware getMany(${batchSize} keys)`,
    'ours',
    'one script for the batch (one round trip on a standalone server)',
    (cache) => cache.getMany(keys),
  ),
  contender(
    `rediware ${batchSize} × get, concurrent`,
    'anchor',
    'Promise.all of single gets: one script each, sent together',
    (cache) => Promise.all(keys.map((key) => cache.get(key))),
  ),
  contender(
    `rediware ${batchSize} × get, one after another`,
    'other',
    'await each get: one round trip each',
    async (cache) => {
      for (const key of keys) await cache.get(key);
    },
  ),
];

export const batchReadTable: Omit<EngineTable, 'rows'> = {
  title: `Cache engine, ${batchSize} keys in one getMany vs ${batchSize} get calls`,
  description: `One operation reads the same ${batchSize} stored keys (small JSON values, no L1, so every read goes to Redis), one operation at a time on one ioredis client. × anchor divides by the ${batchSize} concurrent gets; sent/op is the number of commands sent per operation (the round trips, for the sequential row).`,
};
