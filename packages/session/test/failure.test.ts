import { setTimeout as sleep } from 'node:timers/promises';
import { type FailureEvent, RedisError } from '@rediware/core';
import {
  connectIoredis,
  connectNodeRedis,
  startRedis,
  timed,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import request from 'supertest';
import { RedisStore } from '../src/express';
import { RedisStore as FastifyRedisStore } from '../src/fastify';
import { startAppWorker } from './app-worker';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    views?: number;
  }
}

const timeoutMs = 300;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const bound = timeoutMs + 1_000;
const prefix = 'rwtest:fail:';

function expressApp(store: RedisStore, gate?: Promise<void>) {
  const app = express();
  app.use(session({ store, secret: 'test secret', resave: false, saveUninitialized: false }));
  app.post('/login', (req, res) => {
    req.session.userId = 'alice';
    res.json({ ok: true });
  });
  app.get('/me', (req, res) => res.json({ user: req.session.userId ?? null }));
  app.post('/slow', async (req, res) => {
    await gate;
    req.session.views = 1;
    res.json({ ok: true });
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(error.statusCode ?? 500).json({ code: error.code ?? 'unknown' });
  };
  app.use(onError);
  return app;
}

describe('Redis unreachable: sessions fail closed within the timeout', () => {
  const faulty = useFaultyRedis();

  describe.each([
    ['node-redis', () => connectNodeRedis(faulty.proxy().url)],
    ['ioredis', () => connectIoredis(faulty.proxy().url)],
  ])('express-session with %s behind a stalled Redis', (_, connect) => {
    it('passes a RedisError to next() within the timeout: 503, and recovers', async () => {
      const store = new RedisStore({ redis: await connect(), prefix, timeout: timeoutMs });
      const failures: FailureEvent[] = [];
      store.on('failure', (event: FailureEvent) => failures.push(event));
      const agent = request.agent(expressApp(store));
      await agent.post('/login').expect(200);
      faulty.proxy().stall();
      const { value: response, elapsed } = await timed(agent.get('/me'));
      expect(response?.status).toBe(503);
      expect(response?.body).toEqual({ code: 'ERR_RW_REDIS_TIMEOUT' });
      expect(elapsed).toBeLessThan(bound);
      expect(failures[0]).toMatchObject({ operation: 'session-get', failedOpen: false });
      faulty.proxy().pass();
      await waitFor(async () => (await agent.get('/me')).status === 200);
      expect((await agent.get('/me')).body).toEqual({ user: 'alice' });
      await store.close();
    });
  });

  it('hands the callback an error within the timeout, exactly once, on every store method', async () => {
    const store = new FastifyRedisStore({
      redis: await connectIoredis(faulty.proxy().url),
      prefix,
      timeout: timeoutMs,
    });
    faulty.proxy().stall();
    const calls: unknown[][] = [];
    const started = Date.now();
    await Promise.all([
      new Promise<void>((resolve) =>
        store.get('s1', (...args) => {
          calls.push(args);
          resolve();
        }),
      ),
      new Promise<void>((resolve) =>
        store.set('s1', { cookie: { originalMaxAge: 1_000 } } as never, (...args) => {
          calls.push(args);
          resolve();
        }),
      ),
      new Promise<void>((resolve) =>
        store.destroy('s1', (...args) => {
          calls.push(args);
          resolve();
        }),
      ),
    ]);
    expect(Date.now() - started).toBeLessThan(bound);
    await sleep(timeoutMs); // a late second call would show up here
    expect(calls).toHaveLength(3);
    for (const [error] of calls) expect(error).toBeInstanceOf(RedisError);
    await expect(store.length()).rejects.toBeInstanceOf(RedisError);
    await store.close();
  });

  it('a Redis killed mid-request: the request ends instead of hanging, then 503 within the timeout', async () => {
    const doomed = await startRedis();
    const store = new RedisStore({ redis: await connectNodeRedis(doomed.url), prefix, timeout: timeoutMs });
    const failures: FailureEvent[] = [];
    store.on('failure', (event: FailureEvent) => failures.push(event));
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const agent = request.agent(expressApp(store, gate));
    await agent.post('/login').expect(200);
    // The session is loaded, then Redis dies before the handler saves it.
    const slow = timed(
      agent.post('/slow').then(
        (response) => response.status,
        (error: unknown) => error,
      ),
    );
    await sleep(50);
    await doomed.kill();
    open();
    const { elapsed } = await slow;
    expect(elapsed).toBeLessThan(bound + 50);
    expect(failures.map((event) => event.operation)).toContain('session-save');
    const next = await timed(agent.get('/me'));
    expect(next.value?.status).toBe(503);
    expect(next.elapsed).toBeLessThan(bound);
    await store.close();
  });

  it('@fastify/session: a stalled Redis gives 503 within the timeout', async () => {
    const worker = await startAppWorker('fastify', {
      redis: { kind: 'ioredis', url: faulty.proxy().url },
      prefix,
      timeout: `${timeoutMs}ms`,
    });
    try {
      const agent = request.agent(worker.url);
      await agent.post('/login?user=alice').expect(200);
      faulty.proxy().stall();
      const { value: response, elapsed } = await timed(agent.get('/me'));
      expect(response?.status).toBe(503);
      expect(response?.body).toMatchObject({ code: 'ERR_RW_REDIS_TIMEOUT' });
      expect(elapsed).toBeLessThan(bound);
      faulty.proxy().pass();
      await waitFor(async () => (await agent.get('/me')).status === 200);
      expect((await agent.get('/me')).body).toMatchObject({ user: 'alice' });
    } finally {
      await worker.close();
    }
  });
});

describe('callbacks', () => {
  it('calls a throwing callback once, and its error escapes the store instead of a second call', async () => {
    const store = new RedisStore();
    const deferred: Array<() => void> = [];
    const nextTick = jest.spyOn(process, 'nextTick').mockImplementation(((task: () => void) => {
      deferred.push(task);
    }) as typeof process.nextTick);
    let calls = 0;
    try {
      store.get('missing', () => {
        calls++;
        throw new Error('thrown by the callback');
      });
      await waitFor(() => calls > 0);
      await sleep(20);
    } finally {
      nextTick.mockRestore();
    }
    expect(calls).toBe(1);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]?.()).toThrow('thrown by the callback');
    await store.close();
  });
});
