import './session-user';
import { RedisStore as RediwareStore } from '@rediware/session/express';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import express from 'express';
import session, { type Store } from 'express-session';
import { type NodeRedis, nodeRedisClient } from './redis-clients';
import { loginPath, mainPath, payload, sessionMaxAgeMs, sessionSecret, sessionUser } from './routes';
import type { ServerFactory } from './server-types';

// express-session with the same options for every store: resave false, saveUninitialized false,
// a cookie with maxAge (so every request of a known session calls store.touch, which is
// express-session's default behaviour). connect-redis 10 supports only node-redis, so both Redis
// stores get a node-redis client here.

function sessionServer(
  makeStore: (redis: NodeRedis | undefined) => Store,
  usesRedis: boolean,
): ServerFactory {
  return async ({ redisUrl }) => {
    const redis = usesRedis ? await nodeRedisClient(redisUrl) : undefined;
    const app = express();
    app.use(
      session({
        store: makeStore(redis),
        secret: sessionSecret,
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: sessionMaxAgeMs },
      }),
    );
    app.get(loginPath, (req, res) => {
      req.session.user = sessionUser;
      res.json(payload);
    });
    app.get(mainPath, (req, res) => void res.json({ ...payload, user: req.session.user ?? null }));
    return { app: { framework: 'express', app }, close: async () => void redis?.destroy() };
  };
}

/** express-session's own MemoryStore: the ceiling of any store. */
export const expressMemoryStore = sessionServer(() => new session.MemoryStore(), false);

export const expressConnectRedis = sessionServer((redis) => new ConnectRedisStore({ client: redis }), true);

/** Ours with its defaults: a read-only request of a recently touched session is one round trip. */
export const expressRediwareSession = sessionServer(
  (redis) => new RediwareStore(redis ? { redis } : {}),
  true,
);

/** Ours with touchAfter 0: every touch writes, like connect-redis. */
export const expressRediwareSessionEveryTouch = sessionServer(
  (redis) => new RediwareStore(redis ? { redis, touchAfter: 0 } : { touchAfter: 0 }),
  true,
);
