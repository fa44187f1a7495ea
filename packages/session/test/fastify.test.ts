import { onOwner, type RedisTarget, useRedisTargets } from '@rediware/testing';
import request from 'supertest';
import { RedisStore } from '../src/fastify';
import type { WorkerConfig } from './app-process';
import { type AppWorker, startAppWorker } from './app-worker';
import { commandsDuring, everyGap, scriptCalls } from './fixtures';

// The app runs in a child process (see fastify-app.ts): @fastify/cookie needs a dynamic import()
// that jest's sandbox cannot run. The store assertions below run here, on the same Redis.

const prefix = 'rwtest:fastify:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;

type Variant = 'plain' | 'rolling' | 'everyTouch' | 'short';
const variants: Record<Variant, Partial<WorkerConfig>> = {
  plain: {},
  rolling: { rolling: true },
  everyTouch: { rolling: true, touchAfter: 0 },
  short: { rolling: true, maxAge: 2_000 },
};

describe.each(useRedisTargets(['ioredis', 'node-redis-cluster']))(
  '@fastify/session with RedisStore on $name',
  (target: RedisTarget) => {
    const workers = new Map<Variant, AppWorker>();
    let store: RedisStore;

    beforeAll(async () => {
      const urls = target.masters().map((master) => `redis://${master.host}:${master.port}`);
      const redis: WorkerConfig['redis'] =
        target.name === 'ioredis'
          ? { kind: 'ioredis', url: urls[0] as string }
          : { kind: 'node-redis-cluster', urls };
      await Promise.all(
        (Object.keys(variants) as Variant[]).map(async (variant) => {
          workers.set(variant, await startAppWorker('fastify', { redis, prefix, ...variants[variant] }));
        }),
      );
    }, 60_000);
    afterAll(async () => {
      await Promise.all([...workers.values()].map((worker) => worker.close()));
    });
    beforeEach(async () => {
      await target.flush();
      store = new RedisStore({
        redis: target.client(),
        prefix,
        userId: (data) => data.userId as string | undefined,
      });
    });
    afterEach(() => store.close());

    function agent(variant: Variant = 'plain') {
      return request.agent((workers.get(variant) as AppWorker).url);
    }
    it('saveUninitialized false: a visitor who does nothing gets no cookie and no stored session', async () => {
      const response = await agent().get('/me').expect(200);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(await store.length()).toBe(0);
    });

    it('logs in, regenerates the id on a new login, and keeps the session across requests', async () => {
      const client = agent();
      const first = (await client.post('/login?user=alice').expect(200)).body.id as string;
      expect((await client.get('/me').expect(200)).body).toMatchObject({ id: first, user: 'alice' });
      const second = (await client.post('/login?user=alice').expect(200)).body.id as string;
      expect(second).not.toBe(first);
      expect(await store.get(first)).toBeNull();
      expect((await client.get('/me')).body).toMatchObject({ id: second, user: 'alice' });
      expect(await store.listUserSessions('alice')).toEqual([second]);
    });

    it('saves changes, and keeps them across requests', async () => {
      const client = agent();
      const id = (await client.post('/login?user=bob')).body.id as string;
      await client.post('/count').expect(200);
      expect((await client.post('/count')).body).toEqual({ views: 2 });
      expect((await client.get('/me')).body).toMatchObject({ user: 'bob', views: 2 });
      expect(await store.get(id)).toMatchObject({ userId: 'bob', views: 2 });
    });

    it('rolling, touchAfter 0: every response renews the cookie and writes the stored expiry', async () => {
      const client = agent('everyTouch');
      const id = (await client.post('/login?user=alice')).body.id as string;
      const before = new Date(String((await store.get(id))?.cookie.expires)).getTime();
      await new Promise((resolve) => setTimeout(resolve, 20));
      let response: request.Response | undefined;
      const ran = await commandsDuring(target.masters(), async () => {
        response = await client.get('/me').expect(200);
      });
      expect(String(response?.headers['set-cookie'])).toMatch(/Expires=/);
      // The get, then the save of the unchanged session (the session record and the user index).
      expect(scriptCalls(ran)).toBeGreaterThan(1);
      expect(ran).toHaveProperty('hset', 1);
      const after = new Date(String((await store.get(id))?.cookie.expires)).getTime();
      expect(after).toBeGreaterThan(before);
    });

    it('destroys the session on log-out', async () => {
      const client = agent();
      const id = (await client.post('/login?user=alice')).body.id as string;
      await client.post('/logout').expect(200);
      expect(await store.get(id)).toBeNull();
      expect((await client.get('/me')).body).toMatchObject({ user: null });
    });

    it('logs a user out everywhere: 3 sessions of alice go, bob stays', async () => {
      const alice = [agent(), agent(), agent()];
      const bob = agent();
      for (const client of alice) await client.post('/login?user=alice').expect(200);
      await bob.post('/login?user=bob').expect(200);
      expect(await store.listUserSessions('alice')).toHaveLength(3);
      expect((await alice[0]?.post('/logout-everywhere'))?.body).toEqual({ destroyed: 3 });
      for (const client of alice) expect((await client.get('/me')).body).toMatchObject({ user: null });
      expect((await bob.get('/me')).body).toMatchObject({ user: 'bob' });
    });

    it('a slow request that saves after the log-out does not bring the session back', async () => {
      const client = agent();
      const id = (await client.post('/login?user=alice')).body.id as string;
      const slow = client.post('/count-slowly').then((response) => response);
      while (!(await client.get('/test/entered')).body.entered) await new Promise((r) => setTimeout(r, 5));
      await client.post('/logout').expect(200);
      await client.post('/test/release').expect(200);
      expect((await slow).status).toBe(200);
      expect(await store.get(id)).toBeNull();
      expect((await client.get('/me')).body).toMatchObject({ user: null, views: 0 });
    });

    it('a corrupt record is no session (never a 500), and the store says so', async () => {
      const client = agent();
      const id = (await client.post('/login?user=alice')).body.id as string;
      await onOwner(target, dataKey(id), ['HSET', dataKey(id), 'data', 'not json {']);
      expect((await client.get('/me').expect(200)).body).toMatchObject({ user: null });
      const corrupt = (await client.get('/test/corrupt')).body as Array<{ id: string; error: string }>;
      expect(corrupt).toContainEqual({ id, error: expect.stringMatching(/SyntaxError/) });
    });

    it('with the default options, a read-only request costs one HMGET (one round trip, no script), even with rolling', async () => {
      const client = agent('rolling');
      await client.post('/login?user=alice').expect(200);
      await client.get('/me').expect(200);
      const ran = await commandsDuring(target.masters(), () => client.get('/me').expect(200));
      // One HMGET: no script, no write.
      expect(ran).toEqual({ hmget: 1 });
    });

    it('with the default options, a 2 s session kept active every 300 ms never expires (lag <= 10% of it)', async () => {
      const client = agent('short');
      await client.post('/login?user=alice').expect(200);
      const users = await everyGap(12, 300, async () => (await client.get('/me').expect(200)).body.user);
      expect(users).toEqual(Array(12).fill('alice'));
    }, 20_000);
  },
);
