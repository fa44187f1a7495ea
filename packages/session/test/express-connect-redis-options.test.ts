import { setTimeout as sleep } from 'node:timers/promises';
import { onOwner, type RedisTarget, useRedisTargets } from '@rediware/testing';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import { RedisStore, type RedisStoreOptions } from '../src/express';
import { addSessionRoutes, sessionErrors } from './express-routes';

// connect-redis's options through express-session (Express 5, and Express 4 in the
// `session (express 4)` project): what a user who ports them sees in Redis.

const prefix = 'rwtest:express-cr:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;

describe.each(useRedisTargets(['node-redis', 'ioredis-cluster']))(
  'connect-redis options through express-session on $name',
  (target: RedisTarget) => {
    const stores: RedisStore[] = [];

    function makeApp(store: RedisStoreOptions, resave = false) {
      const sessionStore = new RedisStore({
        redis: target.client(),
        prefix,
        timeout: '2s',
        userId: (data) => data.userId,
        ...store,
      });
      stores.push(sessionStore);
      const app = express();
      app.use(
        session({
          store: sessionStore,
          secret: 'test secret',
          resave,
          saveUninitialized: false,
          cookie: { maxAge: 3_600_000 },
        }),
      );
      addSessionRoutes(app, sessionStore);
      app.use(sessionErrors);
      return request.agent(app);
    }

    async function pttl(id: string): Promise<number> {
      return Number(await onOwner(target, dataKey(id), ['PTTL', dataKey(id)]));
    }

    async function login(agent: request.Agent, user = 'alice'): Promise<string> {
      return (await agent.post(`/login?user=${user}`).expect(200)).body.id as string;
    }

    beforeEach(() => target.flush());
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    });

    it('disableTouch: a request that changes nothing leaves the stored lifetime running down; without it, it resets', async () => {
      const frozen = makeApp({ disableTouch: true, touchAfter: 0 });
      const touched = makeApp({ touchAfter: 0 });
      const ids = [await login(frozen), await login(touched)] as const;
      await sleep(1_100);
      await frozen.get('/me').expect(200);
      await touched.get('/me').expect(200);
      expect(await pttl(ids[0])).toBeLessThan(3_599_000);
      expect(await pttl(ids[1])).toBeGreaterThan(3_599_000);
      expect((await frozen.get('/me')).body).toMatchObject({ id: ids[0], user: 'alice' });
    });

    it('disableTouch with resave: true (the unchanged session is saved): every request extends it, as with connect-redis', async () => {
      const agent = makeApp({ disableTouch: true, touchAfter: 0 }, true);
      const id = await login(agent);
      await sleep(1_100);
      await agent.get('/me').expect(200);
      expect(await pttl(id)).toBeGreaterThan(3_599_000);
    });

    it('disableTTL: the session key has no expiry; it works and is destroyed on log-out', async () => {
      const agent = makeApp({ disableTTL: true });
      const id = await login(agent);
      expect(await pttl(id)).toBe(-1);
      await agent.post('/count').expect(200);
      expect(await pttl(id)).toBe(-1);
      expect((await agent.get('/me')).body).toMatchObject({ id, user: 'alice', views: 1 });
      await agent.post('/logout').expect(200);
      expect(await pttl(id)).toBe(-2);
    });

    it("ttl as a function: each session's lifetime from its data, renewed by each request", async () => {
      const agent = makeApp({ ttl: (data) => (data.userId === 'admin' ? '1s' : '1h'), touchAfter: 0 });
      const member = makeApp({ ttl: (data) => (data.userId === 'admin' ? '1s' : '1h'), touchAfter: 0 });
      const adminId = await login(agent, 'admin');
      const memberId = await login(member, 'bob');
      expect(await pttl(adminId)).toBeLessThanOrEqual(1_000);
      expect(await pttl(memberId)).toBeGreaterThan(3_500_000);
      await sleep(600);
      await agent.get('/me').expect(200); // a touch: another second from now
      await sleep(600);
      expect((await agent.get('/me')).body).toMatchObject({ id: adminId, user: 'admin' });
      await sleep(1_200);
      expect((await agent.get('/me')).body).toMatchObject({ user: null });
    });
  },
);
