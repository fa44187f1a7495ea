import { lockGuard } from '@rediware/lock/express';
import express, { type RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { Mutex } from 'redis-semaphore';
import { ioredisClient } from './redis-clients';
import { Redlock } from './redlock';
import { releaseWhenDone } from './release-when-done';
import { lockTtlMs, mainPath, payload } from './routes';
import type { ServerFactory } from './server-types';

// Every request locks its own key (`req:<n>`, a counter in the server), so no request ever waits:
// this measures the cost of taking and releasing an uncontended lock around a handler. Each lock is
// released when the response finishes (or the connection closes first), on one ioredis client.

function guardedServer(makeGuard: (redis: Redis) => { guard: RequestHandler; close(): Promise<void> }) {
  const factory: ServerFactory = async ({ redisUrl }) => {
    const redis = await ioredisClient(redisUrl);
    const { guard, close } = makeGuard(redis);
    const app = express();
    app.get(mainPath, guard, (_req, res) => void res.json(payload));
    return {
      app: { framework: 'express', app },
      close: async () => {
        await close();
        redis.disconnect();
      },
    };
  };
  return factory;
}

/** redis-semaphore's default throws from a timer, which would end the server process. */
const onLockLost = (): void => {};

export const expressRediwareLock = guardedServer((redis) => {
  let next = 0;
  const guard = lockGuard({ redis, key: () => `req:${++next}`, ttl: lockTtlMs });
  return { guard, close: () => guard.close() };
});

export const expressRedlock = guardedServer((redis) => {
  let next = 0;
  const redlock = new Redlock([redis]);
  redlock.on('error', () => {});
  const guard: RequestHandler = (_req, res, nextHandler) => {
    redlock.acquire([`req:${++next}`], lockTtlMs).then((lock) => {
      releaseWhenDone(res, () => void lock.release().catch(() => {}));
      nextHandler();
    }, nextHandler);
  };
  return { guard, close: async () => {} };
});

export const expressRedisSemaphore = guardedServer((redis) => {
  let next = 0;
  const guard: RequestHandler = (_req, res, nextHandler) => {
    const mutex = new Mutex(redis, `req:${++next}`, { lockTimeout: lockTtlMs, onLockLost });
    mutex.acquire().then(() => {
      releaseWhenDone(res, () => void mutex.release().catch(() => {}));
      nextHandler();
    }, nextHandler);
  };
  return { guard, close: async () => {} };
});

/**
 * A reference, not a lock to use: `SET NX PX` before the handler and `DEL` after it, each request
 * its own two commands, with no owner check (a late DEL can drop someone else's lock), no token,
 * no deadline.
 */
export const expressTwoCommandLock = guardedServer((redis) => {
  let next = 0;
  const guard: RequestHandler = (_req, res, nextHandler) => {
    const key = `req:${++next}`;
    redis.set(key, '1', 'PX', lockTtlMs, 'NX').then(() => {
      releaseWhenDone(res, () => void redis.del(key).catch(() => {}));
      nextHandler();
    }, nextHandler);
  };
  return { guard, close: async () => {} };
});
