import './session-user';
import fastifyCookie from '@fastify/cookie';
import fastifySession, { type SessionStore } from '@fastify/session';
import { RedisStore as RediwareStore } from '@rediware/session/fastify';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import Fastify from 'fastify';
import { type NodeRedis, nodeRedisClient } from './redis-clients';
import { loginPath, mainPath, payload, sessionMaxAgeMs, sessionSecret, sessionUser } from './routes';
import type { ServerFactory } from './server-types';

// @fastify/session with the same options for every store: saveUninitialized false, a cookie with
// maxAge, `secure: false` (the load is plain HTTP on loopback; with its default `secure: true`
// @fastify/session would never save) and its default `rolling: true`, under which every request
// of a known session saves it (store.set).

type Store = SessionStore;

function sessionServer(makeStore: (redis: NodeRedis | undefined) => Store | undefined, usesRedis: boolean) {
  const factory: ServerFactory = async ({ redisUrl }) => {
    const redis = usesRedis ? await nodeRedisClient(redisUrl) : undefined;
    const app = Fastify({ logger: false });
    await app.register(fastifyCookie);
    const store = makeStore(redis);
    await app.register(fastifySession, {
      secret: sessionSecret,
      ...(store ? { store } : {}),
      saveUninitialized: false,
      cookie: { secure: false, maxAge: sessionMaxAgeMs },
    });
    app.get(loginPath, async (request) => {
      request.session.user = sessionUser;
      return payload;
    });
    app.get(mainPath, async (request) => ({ ...payload, user: request.session.user ?? null }));
    return { app: { framework: 'fastify', app }, close: async () => void redis?.destroy() };
  };
  return factory;
}

/** @fastify/session's default in-process store: the ceiling of any store. */
export const fastifyMemoryStore = sessionServer(() => undefined, false);

/** connect-redis is an express-session Store; @fastify/session accepts those. */
export const fastifyConnectRedis = sessionServer(
  (redis) => new ConnectRedisStore({ client: redis }) as unknown as Store,
  true,
);

export const fastifyRediwareSession = sessionServer(
  (redis) => new RediwareStore(redis ? { redis } : {}),
  true,
);

/** Ours with touchAfter 0: every touch writes, like connect-redis. */
export const fastifyRediwareSessionEveryTouch = sessionServer(
  (redis) => new RediwareStore(redis ? { redis, touchAfter: 0 } : { touchAfter: 0 }),
  true,
);
