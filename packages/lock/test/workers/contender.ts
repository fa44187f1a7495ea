// One of several processes contending for a few keys. Each critical section runs an overlap
// detector in Redis: INCR of an "inside" counter must read 1, and the fencing token it swaps in
// must be above the last holder's. The parent sums the violations of every process.
import type { RedisClient } from '@rediware/core';
import { createLocker } from '../../src';
import { connect, type WorkerTarget } from './connect';

const target = JSON.parse(process.env.RW_TARGET as string) as WorkerTarget;
const iterations = Number(process.env.RW_ITERATIONS);
const concurrency = Number(process.env.RW_CONCURRENCY);
const keys = (process.env.RW_KEYS as string).split(',');

const { client, send, close } = await connect(target);
const locker = createLocker({ redis: client as RedisClient, timeout: '5s' });
let overlaps = 0;
let backwards = 0;
let done = 0;
let next = 0;

async function contend(): Promise<void> {
  while (next < iterations) {
    next++;
    const key = keys[Math.floor(Math.random() * keys.length)] as string;
    await locker.withLock(key, { ttl: '10s', wait: '60s' }, async (lock) => {
      const inside = Number(await send(['INCR', `detect:{${key}}:inside`]));
      const previous = await send(['SET', `detect:{${key}}:last`, String(lock.fencingToken), 'GET']);
      if (inside !== 1) overlaps++;
      if (previous !== null && Number(previous) >= lock.fencingToken) backwards++;
      await send(['INCR', `detect:{${key}}:count`]);
      await send(['DECR', `detect:{${key}}:inside`]);
    });
    done++;
  }
}

await Promise.all(Array.from({ length: concurrency }, contend));
await locker.close();
await close();
process.stdout.write(`${JSON.stringify({ done, overlaps, backwards })}\n`);
