import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildFastifyApp,
  connectNodeRedis,
  type ListeningApp,
  listenFastify,
  type NodeRedisClient,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import type { FastifyRequest } from 'fastify';
import { createLocker, LockBusyError, type Locker } from '../src';
import lockPlugin from '../src/fastify';
import type { GuardRouteOptions } from '../src/options';
import { gate, get, getThenAbort } from './http';

const faulty = useFaultyRedis();
let redis: NodeRedisClient;
let proxied: NodeRedisClient;

beforeAll(async () => {
  [redis, proxied] = await Promise.all([
    connectNodeRedis(faulty.server().url),
    connectNodeRedis(faulty.proxy().url),
  ]);
});

describe('fastify lock plugin', () => {
  let app: ListeningApp | undefined;
  let locker: Locker;
  let entered: Array<ReturnType<typeof gate<number>>>;
  let finish: ReturnType<typeof gate>;
  const url = (): string => (app as ListeningApp).url;

  async function start(
    lock: Partial<GuardRouteOptions<FastifyRequest>> = {},
    plugin: Parameters<typeof lockPlugin>[1] = { redis },
  ) {
    const fastify = await buildFastifyApp(async (instance) => {
      await instance.register(lockPlugin, plugin);
      instance.get<{ Params: { id: string } }>(
        '/orders/:id',
        {
          config: { lock: { key: (request) => (request.params as { id: string }).id, ttl: '30s', ...lock } },
        },
        async (request) => {
          entered.shift()?.open(request.lock?.fencingToken ?? -1);
          await finish.promise;
          return { token: request.lock?.fencingToken, aborted: request.lock?.signal.aborted };
        },
      );
      instance.get('/free', async (request) => ({ lock: request.lock }));
    });
    app = await listenFastify(fastify);
  }

  beforeEach(async () => {
    await redis.flushAll();
    faulty.proxy().pass();
    entered = [gate<number>(), gate<number>(), gate<number>()];
    finish = gate();
    locker = createLocker({ redis });
  });
  afterEach(async () => {
    finish.open(undefined);
    await app?.close();
    app = undefined;
    await locker.close();
  });

  it('answers 409 with Retry-After and a problem+json body while the key is held', async () => {
    await start();
    const first = get(`${url()}/orders/1`);
    const token = await entered[0]?.promise;
    const busy = await get(`${url()}/orders/1`);
    expect(busy.status).toBe(409);
    expect(busy.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(busy.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(20);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(JSON.parse(busy.body)).toMatchObject({ status: 409, title: 'LockBusyError' });
    finish.open(undefined);
    expect(JSON.parse((await first).body)).toEqual({ token, aborted: false });
    expect(JSON.parse((await get(`${url()}/free`)).body)).toEqual({ lock: null });
  });

  it('releases the lock when the response finishes', async () => {
    await start();
    finish.open(undefined);
    const first = JSON.parse((await get(`${url()}/orders/1`)).body).token;
    expect(JSON.parse((await get(`${url()}/orders/1`)).body).token).toBe(first + 1);
    const lock = await locker.acquire('1', { ttl: '1s' });
    expect(lock.fencingToken).toBe(first + 2);
    await lock.release();
  });

  it('holds the lock after the client disconnects, until the handler has returned', async () => {
    await start();
    const token = await new Promise<number>((resolve) => {
      void getThenAbort(`${url()}/orders/1`, entered[0]?.promise.then(resolve) ?? Promise.resolve());
    });
    await sleep(100);
    await expect(locker.acquire('1', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    finish.open(undefined);
    const next = await locker.acquire('1', { ttl: '1s', wait: '10s' });
    expect(next.fencingToken).toBe(token + 1);
    await next.release();
  });

  it('cancels the wait of a client that disconnects while waiting', async () => {
    await start({ wait: '20s' });
    const held = await locker.acquire('1', { ttl: '30s' });
    await getThenAbort(`${url()}/orders/1`, sleep(100));
    await held.release();
    // Had the abandoned request kept waiting, it would now hold the lock for 30 s.
    await sleep(200);
    const next = await locker.acquire('1', { ttl: '1s' });
    expect(next.fencingToken).toBe(held.fencingToken + 1);
    await next.release();
  });

  it('lets a request wait for the lock when wait is set', async () => {
    await start({ wait: '10s' });
    const first = get(`${url()}/orders/1`);
    await entered[0]?.promise;
    const second = get(`${url()}/orders/1`);
    await sleep(100);
    finish.open(undefined);
    const firstReply = await first;
    expect(firstReply.status).toBe(200);
    expect(JSON.parse((await second).body).token).toBe(JSON.parse(firstReply.body).token + 1);
  });

  it('uses the configured status, such as 423', async () => {
    await start({ statusCode: 423 });
    const held = await locker.acquire('1', { ttl: '10s' });
    const busy = await get(`${url()}/orders/1`);
    expect(busy.status).toBe(423);
    await held.release();
  });

  it('answers 409 when the lock is lost mid-handler and nothing was sent yet', async () => {
    await start({ ttl: 200, autoExtend: false });
    const reply = get(`${url()}/orders/1`);
    await entered[0]?.promise;
    const lost = await reply;
    expect(lost.status).toBe(409);
    expect(JSON.parse(lost.body)).toMatchObject({ title: 'LockLostError' });
  });

  it('answers 503 when Redis is unreachable or does not answer, within its deadline', async () => {
    await start({}, { redis: proxied, timeout: 300 });
    faulty.proxy().stall();
    const started = Date.now();
    const stalled = await get(`${url()}/orders/2`);
    expect(stalled.status).toBe(503);
    expect(JSON.parse(stalled.body).type).toContain('ERR_RW_REDIS_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(300 + 1_000);
    faulty.proxy().refuse();
    await waitFor(() => !proxied.isReady);
    const refused = await get(`${url()}/orders/1`);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('no key');
      },
    ],
    ['rejects', () => Promise.reject(new Error('no key'))],
  ])('passes an error of a key function that %s to the error handler', async (_, key) => {
    await start({ key });
    const reply = await get(`${url()}/orders/1`);
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toMatchObject({ message: 'no key' });
    // The route never ran and nothing was locked.
    expect(entered).toHaveLength(3);
    const free = await locker.acquire('1', { ttl: '1s' });
    await free.release();
  });

  it('takes the key, ttl and wait from functions that return promises', async () => {
    await start({
      key: async (request) => `async-${(request.params as { id: string }).id}`,
      ttl: async () => '10s' as const,
      wait: async () => 0,
    });
    const reply = get(`${url()}/orders/7`);
    await entered[0]?.promise;
    await expect(locker.acquire('async-7', { ttl: '1s' })).rejects.toMatchObject({ name: 'LockBusyError' });
    finish.open(undefined);
    expect((await reply).status).toBe(200);
    const free = await locker.acquire('async-7', { ttl: '1s' });
    await free.release();
  });

  it('rejects bad route options when the route is added, naming them', async () => {
    const fastify = await buildFastifyApp(async (instance) => {
      await instance.register(lockPlugin, { redis });
    });
    expect(() =>
      fastify.get('/', { config: { lock: { key: () => 'k', ttl: 'soon' as never } } }, async () => 'x'),
    ).toThrow(/`config.lock.ttl`/);
    await fastify.close();
  });
});
