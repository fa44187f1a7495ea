import { createCache } from '@rediware/cache';
import type { Address } from '@rediware/testing';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import type { EngineContender, EngineTable } from './measure';

type Case = 'L1 hit' | 'L2 hit' | 'miss';

/** Keys read in turn by the L2 hit rows; L1 holds one entry, so each read misses it. */
const rotation = 1000;
const value = { hello: 'world', n: 42 };
const loader = () => value;

/** The key each operation of a case reads: one hot key, a rotation over stored keys, or a new key. */
function keyFor(which: Case): () => string {
  let n = 0;
  if (which === 'L1 hit') return () => 'hot';
  if (which === 'L2 hit') return () => `warm:${n++ % rotation}`;
  return () => `cold:${n++}`;
}

/** The same entries stored before the rounds (by the instance that then reads them). */
async function prefill(which: Case, wrap: (key: string) => Promise<unknown>): Promise<void> {
  if (which === 'L1 hit') await wrap('hot');
  if (which === 'L2 hit') for (let i = 0; i < rotation; i++) await wrap(`warm:${i}`);
}

function ours(which: Case): EngineContender {
  return {
    group: which,
    name: `rediware createCache().wrap, ${which}`,
    role: 'ours',
    note: which === 'L2 hit' ? 'l1: { maxEntries: 1 }' : 'l1: true',
    async setup(redis: Address) {
      const client = new Redis(redis.port, redis.host);
      const cache = createCache({
        redis: client,
        ttl: '10m',
        prefix: `bench-rw-${which.replace(' ', '')}:`,
        l1: which === 'L2 hit' ? { maxEntries: 1 } : true,
      });
      await cache.ready();
      const wrap = (key: string) => cache.wrap(key, loader);
      await prefill(which, wrap);
      const next = keyFor(which);
      return {
        op: () => wrap(next()),
        close: async () => {
          await cache.close();
          client.disconnect();
        },
      };
    },
  };
}

function bentocache(which: Case): EngineContender {
  return {
    group: which,
    name: `bentocache getOrSet, ${which}`,
    role: 'anchor',
    note: `memoryDriver(${which === 'L2 hit' ? '{ maxItems: 1 }' : 'defaults'}) + redisDriver + redisBusDriver`,
    async setup(redis: Address) {
      const client = new Redis(redis.port, redis.host);
      const store = bentostore()
        .useL1Layer(memoryDriver(which === 'L2 hit' ? { maxItems: 1 } : {}))
        .useL2Layer(redisDriver({ connection: client }))
        .useBus(redisBusDriver({ connection: { host: redis.host, port: redis.port } }));
      const bento = new BentoCache({
        default: 'cache',
        prefix: `bench-bento-${which.replace(' ', '')}`,
        stores: { cache: store },
      });
      const wrap = (key: string) => bento.getOrSet({ key, factory: loader, ttl: '10m' });
      await prefill(which, wrap);
      const next = keyFor(which);
      return {
        op: () => wrap(next()),
        close: async () => {
          await bento.disconnect();
          client.disconnect();
        },
      };
    },
  };
}

export const wrapContenders: EngineContender[] = (['L1 hit', 'L2 hit', 'miss'] as const).flatMap((which) => [
  bentocache(which),
  ours(which),
]);

export const wrapTable: Omit<EngineTable, 'rows'> = {
  title: 'Cache engine, createCache().wrap vs bentocache getOrSet (memory L1 + Redis L2 + Redis bus)',
  description: `One call at a time, each on its own ioredis client, the loader returning a small object at once. L1 hit: one hot key. L2 hit: ${rotation} stored keys read in turn with an L1 of one entry, so every read misses L1, reads Redis and refills L1. Miss: a new key per call (read, load, write both tiers, publish on the bus). × anchor divides by bentocache in the same case.`,
};
