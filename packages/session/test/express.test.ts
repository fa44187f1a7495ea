import { onOwner, type RedisTarget, useRedisTargets } from '@rediware/testing';
import express from 'express';
import session from 'express-session';
import request from 'supertest';
import type { CorruptSessionEvent } from '../src';
import { RedisStore, type RedisStoreOptions } from '../src/express';
import { addSessionRoutes, sessionErrors } from './express-routes';
import { commandsDuring, everyGap, scriptCalls } from './fixtures';

const prefix = 'rwtest:express:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;

interface AppOptions {
  store?: RedisStoreOptions;
  rolling?: boolean;
  resave?: boolean;
  maxAge?: number;
}

describe.each(useRedisTargets(['node-redis', 'ioredis-cluster']))(
  'express-session with RedisStore on $name',
  (target: RedisTarget) => {
    const stores: RedisStore[] = [];
    let release: () => void = () => {};

    function makeApp(options: AppOptions = {}) {
      const store = new RedisStore({
        redis: target.client(),
        prefix,
        timeout: '2s',
        userId: (data) => data.userId,
        ...options.store,
      });
      stores.push(store);
      const app = express();
      app.use(
        session({
          store,
          secret: 'test secret',
          resave: options.resave ?? false,
          saveUninitialized: false,
          rolling: options.rolling ?? false,
          cookie: { maxAge: options.maxAge ?? 3_600_000 },
        }),
      );
      addSessionRoutes(app, store);
      app.post('/count-slowly', async (req, res) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        req.session.views = (req.session.views ?? 0) + 100;
        res.json({ views: req.session.views });
      });
      app.use(sessionErrors);
      return { app, store };
    }

    beforeEach(() => target.flush());
    afterEach(async () => {
      release();
      await Promise.all(stores.splice(0).map((store) => store.close()));
    });

    it('saveUninitialized false: a visitor who does nothing gets no cookie and no stored session', async () => {
      const { app, store } = makeApp();
      const response = await request(app).get('/me').expect(200);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(await store.length()).toBe(0);
    });

    it('logs in, regenerates the id on a new login, and keeps the session across requests', async () => {
      const { app, store } = makeApp();
      const agent = request.agent(app);
      const first = (await agent.post('/login?user=alice').expect(200)).body.id as string;
      expect((await agent.get('/me').expect(200)).body).toMatchObject({ id: first, user: 'alice' });
      const second = (await agent.post('/login?user=alice').expect(200)).body.id as string;
      expect(second).not.toBe(first);
      expect(await store.get(first)).toBeNull();
      expect((await agent.get('/me')).body).toMatchObject({ id: second, user: 'alice' });
      expect(await store.listUserSessions('alice')).toEqual([second]);
    });

    it('saves changes with resave false, and a read-only request leaves the data alone', async () => {
      const { app, store } = makeApp();
      const agent = request.agent(app);
      const id = (await agent.post('/login?user=bob')).body.id as string;
      await agent.post('/count').expect(200);
      expect((await agent.post('/count')).body).toEqual({ views: 2 });
      expect((await agent.get('/me')).body).toMatchObject({ user: 'bob', views: 2 });
      expect(await store.get(id)).toMatchObject({ userId: 'bob', views: 2 });
    });

    it('rolling, touchAfter 0: every response renews the cookie and every touch writes the stored expiry', async () => {
      const { app, store } = makeApp({ rolling: true, store: { touchAfter: 0 } });
      const agent = request.agent(app);
      const id = (await agent.post('/login?user=alice')).body.id as string;
      const before = new Date(String((await store.get(id))?.cookie.expires)).getTime();
      await new Promise((resolve) => setTimeout(resolve, 20));
      let response: request.Response | undefined;
      const ran = await commandsDuring(target.masters(), async () => {
        response = await agent.get('/me').expect(200);
      });
      expect(String(response?.headers['set-cookie'])).toMatch(/Expires=/);
      // The get, then the touch (the session's expiry field and the user index's score).
      expect(scriptCalls(ran)).toBeGreaterThan(1);
      expect(ran).toHaveProperty('hset', 1);
      const after = new Date(String((await store.get(id))?.cookie.expires)).getTime();
      expect(after).toBeGreaterThan(before);
    });

    it('destroys the session on log-out', async () => {
      const { app, store } = makeApp();
      const agent = request.agent(app);
      const id = (await agent.post('/login?user=alice')).body.id as string;
      await agent.post('/logout').expect(200);
      expect(await store.get(id)).toBeNull();
      expect((await agent.get('/me')).body).toMatchObject({ user: null });
    });

    it('logs a user out everywhere: 3 sessions of alice go, bob stays', async () => {
      const { app, store } = makeApp();
      const alice = [request.agent(app), request.agent(app), request.agent(app)];
      const bob = request.agent(app);
      for (const agent of alice) await agent.post('/login?user=alice').expect(200);
      await bob.post('/login?user=bob').expect(200);
      expect(await store.listUserSessions('alice')).toHaveLength(3);
      expect((await alice[0]?.post('/logout-everywhere'))?.body).toEqual({ destroyed: 3 });
      for (const agent of alice) expect((await agent.get('/me')).body).toMatchObject({ user: null });
      expect((await bob.get('/me')).body).toMatchObject({ user: 'bob' });
    });

    it('a slow request that saves after the log-out does not bring the session back', async () => {
      const { app, store } = makeApp();
      const agent = request.agent(app);
      const id = (await agent.post('/login?user=alice')).body.id as string;
      const slow = agent.post('/count-slowly').then((response) => response);
      await waitForRelease();
      await agent.post('/logout').expect(200);
      release();
      expect((await slow).status).toBe(200);
      expect(await store.get(id)).toBeNull();
      expect((await agent.get('/me')).body).toMatchObject({ user: null, views: 0 });
    });

    it('a corrupt record is no session (never a 500), and the store says so', async () => {
      const { app, store } = makeApp();
      const corrupt: CorruptSessionEvent[] = [];
      store.on('corrupt', (event: CorruptSessionEvent) => corrupt.push(event));
      const agent = request.agent(app);
      const id = (await agent.post('/login?user=alice')).body.id as string;
      await onOwner(target, dataKey(id), ['HSET', dataKey(id), 'data', 'not json {']);
      expect((await agent.get('/me').expect(200)).body).toMatchObject({ user: null });
      expect(corrupt).toEqual([{ id, error: expect.any(SyntaxError) }]);
    });

    it.each<[string, Array<string | number>]>([
      ['JSON without a cookie', ['HSET', '{key}', 'data', '{"foo":1}']],
      ['a string originalMaxAge', ['HSET', '{key}', 'data', '{"cookie":{"originalMaxAge":"x"}}']],
      ['an invalid _expires', ['HSET', '{key}', 'data', '{"cookie":{"_expires":"soon"}}']],
      ['a __proto__ key', ['HSET', '{key}', 'data', '{"cookie":{},"__proto__":{"cookie":null}}']],
      ['a key of another type', ['SET', '{key}', '{"cookie":{}}']],
    ])(
      'a record with %s is no session (200 within the timeout, never a 500) and a corrupt event',
      async (_name, write) => {
        const { app, store } = makeApp();
        const corrupt: CorruptSessionEvent[] = [];
        store.on('corrupt', (event: CorruptSessionEvent) => corrupt.push(event));
        const agent = request.agent(app);
        const id = (await agent.post('/login?user=alice')).body.id as string;
        await onOwner(target, dataKey(id), ['DEL', dataKey(id)]);
        await onOwner(
          target,
          dataKey(id),
          write.map((arg) => (arg === '{key}' ? dataKey(id) : arg)),
        );
        const me = await agent.get('/me').timeout(3_000);
        expect(me.status).toBe(200);
        expect(me.body).toMatchObject({ user: null });
        expect(corrupt).toEqual([
          { id, error: expect.objectContaining({ code: expect.stringMatching(/^ERR_RW_/) }) },
        ]);
        await agent.post('/count').timeout(3_000).expect(200);
      },
    );

    it('with the default options, a read-only request costs one HMGET (one round trip, no script), even with rolling', async () => {
      const { app } = makeApp({ rolling: true });
      const agent = request.agent(app);
      await agent.post('/login?user=alice').expect(200);
      await agent.get('/me').expect(200);
      const ran = await commandsDuring(target.masters(), () => agent.get('/me').expect(200));
      // One HMGET: no script, no write.
      expect(ran).toEqual({ hmget: 1 });
    });

    it('with the default options, a 2 s session kept active every 300 ms never expires (lag <= 10% of it)', async () => {
      const { app } = makeApp({ rolling: true, maxAge: 2_000 });
      const agent = request.agent(app);
      await agent.post('/login?user=alice').expect(200);
      const users = await everyGap(12, 300, async () => (await agent.get('/me').expect(200)).body.user);
      expect(users).toEqual(Array(12).fill('alice'));
    }, 20_000);

    it('gives callbacks and promises: each callback exactly once', async () => {
      const { store } = makeApp();
      const calls: unknown[] = [];
      await new Promise<void>((resolve) =>
        store.set('cb', { cookie: { originalMaxAge: 60_000, maxAge: 60_000 } } as never, (error) => {
          calls.push(error);
          resolve();
        }),
      );
      const loaded = await new Promise((resolve) =>
        store.get('cb', (error, value) => resolve([error, value])),
      );
      expect(loaded).toEqual([null, expect.objectContaining({ cookie: expect.any(Object) })]);
      expect(await store.length()).toBe(1);
      expect(calls).toEqual([null]);
    });

    function waitForRelease(): Promise<void> {
      const initial = release;
      return new Promise((resolve) => {
        const check = () => (release !== initial ? resolve() : setTimeout(check, 5));
        check();
      });
    }
  },
);
