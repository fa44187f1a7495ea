import { setTimeout as sleep } from 'node:timers/promises';
import {
  buildExpressApp,
  connectIoredis,
  type IoredisClient,
  type ListeningApp,
  listenExpress,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import { createLocker, LockBusyError, type Locker } from '../src';
import { type LockGuard, lockGuard } from '../src/express';
import { gate, get, getThenAbort } from './http';

const faulty = useFaultyRedis();
let redis: IoredisClient;
let proxied: IoredisClient;

beforeAll(async () => {
  [redis, proxied] = await Promise.all([
    connectIoredis(faulty.server().url),
    connectIoredis(faulty.proxy().url),
  ]);
});

describe('express lockGuard', () => {
  let app: ListeningApp | undefined;
  let guards: LockGuard[];
  let locker: Locker;
  let entered: Array<ReturnType<typeof gate<number>>>;
  let finish: ReturnType<typeof gate>;

  const url = (): string => (app as ListeningApp).url;

  async function start(options: Partial<Parameters<typeof lockGuard>[0]> = {}, redisClient = redis) {
    const guard = lockGuard({
      redis: redisClient,
      key: (req) => String(req.params.id),
      ttl: '30s',
      ...options,
    });
    guards.push(guard);
    app = await listenExpress(
      buildExpressApp((express) => {
        express.get('/orders/:id', guard, async (req, res) => {
          entered.shift()?.open(req.lock?.fencingToken ?? -1);
          await finish.promise;
          if (!res.headersSent)
            res.json({ token: req.lock?.fencingToken, aborted: req.lock?.signal.aborted });
        });
      }),
    );
  }

  beforeEach(async () => {
    await redis.flushall();
    faulty.proxy().pass();
    guards = [];
    entered = [gate<number>(), gate<number>(), gate<number>()];
    finish = gate();
    locker = createLocker({ redis });
  });
  afterEach(async () => {
    finish.open(undefined);
    await app?.close();
    app = undefined;
    await Promise.all(guards.map((guard) => guard.close()));
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
    expect(JSON.parse(busy.body)).toMatchObject({
      status: 409,
      title: 'LockBusyError',
      type: expect.stringContaining('ERR_RW_LOCK_BUSY'),
    });
    finish.open(undefined);
    expect(JSON.parse((await first).body)).toEqual({ token, aborted: false });
    expect((await get(`${url()}/orders/2`)).status).toBe(200);
  });

  it('releases the lock when the response finishes', async () => {
    await start();
    finish.open(undefined);
    const first = JSON.parse((await get(`${url()}/orders/1`)).body).token;
    // ttl is 30 s and wait 0: only the release lets these through.
    expect(JSON.parse((await get(`${url()}/orders/1`)).body).token).toBe(first + 1);
    expect(await redis.exists('rw:lock:{1}:lock')).toBe(0);
    const lock = await locker.acquire('1', { ttl: '1s' });
    expect(lock.fencingToken).toBe(first + 2);
    await lock.release();
  });

  it('holds the lock after the client disconnects, until the handler ends the response', async () => {
    await start();
    const token = await new Promise<number>((resolve) => {
      void getThenAbort(`${url()}/orders/1`, entered[0]?.promise.then(resolve) ?? Promise.resolve());
    });
    await sleep(100);
    await expect(locker.acquire('1', { ttl: '1s' })).rejects.toBeInstanceOf(LockBusyError);
    finish.open(undefined);
    // The handler answers its gone client; that releases the lock (held for 30 s otherwise).
    const next = await locker.acquire('1', { ttl: '1s', wait: '10s' });
    expect(next.fencingToken).toBe(token + 1);
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
    expect(JSON.parse(busy.body).status).toBe(423);
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
    await start({ timeout: 300 }, proxied);
    faulty.proxy().refuse();
    const refused = await get(`${url()}/orders/1`);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    faulty.proxy().pass();
    await waitFor(() => proxied.status === 'ready', 10_000);
    faulty.proxy().stall();
    const started = Date.now();
    const stalled = await get(`${url()}/orders/2`);
    expect(stalled.status).toBe(503);
    expect(JSON.parse(stalled.body).type).toContain('ERR_RW_REDIS_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(300 + 1_000);
  });

  it('passes an error of the key function to the error handler', async () => {
    const guard = lockGuard({
      redis,
      key: () => {
        throw new Error('no key');
      },
      ttl: '1s',
    });
    guards.push(guard);
    app = await listenExpress(
      buildExpressApp((express) => {
        express.get('/', guard, (_req, res) => void res.send('never'));
        express.use(
          (
            error: Error,
            _req: unknown,
            res: { status(code: number): { send(body: string): void } },
            _next: unknown,
          ) => res.status(500).send(error.message),
        );
      }),
    );
    const reply = await get(`${url()}/`);
    expect(reply).toMatchObject({ status: 500, body: 'no key' });
  });

  it('rejects bad options at construction, naming them', () => {
    expect(() => lockGuard({ redis, key: 'id' as never, ttl: '1s' })).toThrow(/`lockGuard.key`/);
    expect(() => lockGuard({ redis, key: () => 'k', ttl: 'soon' as never })).toThrow(/`lockGuard.ttl`/);
    expect(() => lockGuard({ redis, key: () => 'k', ttl: '1s', statusCode: 200 })).toThrow(
      /`lockGuard.statusCode`/,
    );
  });
});
