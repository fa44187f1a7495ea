import rediwareLock from '@rediware/lock/fastify';
import { Mutex } from 'redis-semaphore';
import { fastifyServer } from './fastify-server';
import { Redlock } from './redlock';
import { releaseWhenDone } from './release-when-done';
import { lockTtlMs, mainPath, payload } from './routes';

// As in lock-express.ts: a fresh key per request. The anchors acquire in a preHandler and release
// when the raw response finishes or closes, exactly where our plugin's guard does both.

export const fastifyRediwareLock = fastifyServer(async (app, redis) => {
  let next = 0;
  await app.register(rediwareLock, { redis });
  app.get(
    mainPath,
    { config: { lock: { key: () => `req:${++next}`, ttl: lockTtlMs } } },
    async () => payload,
  );
});

export const fastifyRedlock = fastifyServer(async (app, redis) => {
  let next = 0;
  const redlock = new Redlock([redis]);
  redlock.on('error', () => {});
  app.get(
    mainPath,
    {
      preHandler: async (_request, reply) => {
        const lock = await redlock.acquire([`req:${++next}`], lockTtlMs);
        releaseWhenDone(reply.raw, () => void lock.release().catch(() => {}));
      },
    },
    async () => payload,
  );
});

export const fastifyRedisSemaphore = fastifyServer(async (app, redis) => {
  let next = 0;
  app.get(
    mainPath,
    {
      preHandler: async (_request, reply) => {
        // onLockLost: redis-semaphore's default throws from a timer, ending the process.
        const mutex = new Mutex(redis, `req:${++next}`, { lockTimeout: lockTtlMs, onLockLost: () => {} });
        await mutex.acquire();
        releaseWhenDone(reply.raw, () => void mutex.release().catch(() => {}));
      },
    },
    async () => payload,
  );
});

/** As in lock-express.ts: `SET NX PX` and `DEL` per request, a reference, not a lock to use. */
export const fastifyTwoCommandLock = fastifyServer(async (app, redis) => {
  let next = 0;
  app.get(
    mainPath,
    {
      preHandler: async (_request, reply) => {
        const key = `req:${++next}`;
        await redis.set(key, '1', 'PX', lockTtlMs, 'NX');
        releaseWhenDone(reply.raw, () => void redis.del(key).catch(() => {}));
      },
    },
    async () => payload,
  );
});
