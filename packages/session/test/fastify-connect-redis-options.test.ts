import { setTimeout as sleep } from 'node:timers/promises';
import { onOwner, type RedisTarget, useRedisTargets } from '@rediware/testing';
import request from 'supertest';
import type { WorkerConfig } from './app-process';
import { type AppWorker, startAppWorker } from './app-worker';

// connect-redis's options through @fastify/session (the app runs in a child process, see
// fastify-app.ts): what a user who ports them sees in Redis.

const prefix = 'rwtest:fastify-cr:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;

type Variant = 'noTTL' | 'ttlByUser' | 'noTouchRolling';
const variants: Record<Variant, Partial<WorkerConfig>> = {
  noTTL: { disableTTL: true },
  ttlByUser: { ttlByUser: { admin: '1s' }, touchAfter: 0, rolling: true },
  noTouchRolling: { disableTouch: true, touchAfter: 0, rolling: true },
};

describe.each(useRedisTargets(['ioredis', 'node-redis-cluster']))(
  'connect-redis options through @fastify/session on $name',
  (target: RedisTarget) => {
    const workers = new Map<Variant, AppWorker>();

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
    beforeEach(() => target.flush());

    const agent = (variant: Variant) => request.agent((workers.get(variant) as AppWorker).url);
    const pttl = async (id: string) => Number(await onOwner(target, dataKey(id), ['PTTL', dataKey(id)]));
    const login = async (client: request.Agent, user = 'alice') =>
      (await client.post(`/login?user=${user}`).expect(200)).body.id as string;

    it('disableTTL: the session key has no expiry; it works and is destroyed on log-out', async () => {
      const client = agent('noTTL');
      const id = await login(client);
      expect(await pttl(id)).toBe(-1);
      await client.post('/count').expect(200);
      expect(await pttl(id)).toBe(-1);
      expect((await client.get('/me')).body).toMatchObject({ id, user: 'alice', views: 1 });
      await client.post('/logout').expect(200);
      expect(await pttl(id)).toBe(-2);
    });

    it("ttl as a function: each session's lifetime from its data, renewed by each rolling save", async () => {
      const admin = agent('ttlByUser');
      const adminId = await login(admin, 'admin');
      const memberId = await login(agent('ttlByUser'), 'bob');
      expect(await pttl(adminId)).toBeLessThanOrEqual(1_000);
      expect(await pttl(memberId)).toBeGreaterThan(3_500_000);
      await sleep(600);
      await admin.get('/me').expect(200);
      await sleep(600);
      expect((await admin.get('/me')).body).toMatchObject({ id: adminId, user: 'admin' });
      await sleep(1_200);
      expect((await admin.get('/me')).body).toMatchObject({ user: null });
    });

    it('disableTouch: @fastify/session never calls touch, so its rolling saves (set) still extend the session', async () => {
      const client = agent('noTouchRolling');
      const id = await login(client);
      await sleep(1_100);
      await client.get('/me').expect(200);
      expect(await pttl(id)).toBeGreaterThan(3_599_000);
    });
  },
);
