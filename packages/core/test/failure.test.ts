import { setTimeout as sleep } from 'node:timers/promises';
import {
  closeClient,
  connectIoredis,
  connectNodeRedis,
  eventually,
  redisCommand,
  startFaultProxy,
  startRedis,
  timed,
  useFaultyRedis,
  useUnhandledRejections,
  waitFor,
} from '@rediware/testing';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createClient as createClientV4 } from 'redis-v4';
import {
  createBackend,
  createKeyspace,
  type FailureEvent,
  RedisError,
  RedisNotConnectedError,
  RedisTimeoutError,
  RedisUnavailableError,
  RediwareConfigError,
  withFailPolicy,
} from '../src';
import { counterScript, setGetScript } from './test-scripts';

const keyspace = createKeyspace('rwtest:', 'fail');
const timeoutMs = 200;
/** Generous: the point is that a call never hangs, not how fast it fails. */
const margin = 1_000;

const faulty = useFaultyRedis();

const clients = {
  'node-redis': () => connectNodeRedis(faulty.proxy().url),
  ioredis: () => connectIoredis(faulty.proxy().url),
};

describe.each(Object.entries(clients))('deadlines and faults with %s', (_, connect) => {
  it('a stalled Redis makes a call fail with RedisTimeoutError within its timeout, and it recovers', async () => {
    const backend = createBackend({ redis: await connect(), packageName: 'core-test', timeout: timeoutMs });
    const key = keyspace.key('stall', 'n');
    await backend.run(counterScript, [key], [1, 60_000]);
    faulty.proxy().stall();
    const { error, elapsed } = await timed(backend.run(counterScript, [key], [1, 60_000]));
    expect(error).toBeInstanceOf(RedisTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(elapsed).toBeLessThan(timeoutMs + margin);
    faulty.proxy().pass();
    await expect(eventually(() => backend.run(counterScript, [key], [0, 60_000]))).resolves.toEqual([
      expect.any(Number),
      expect.any(Number),
    ]);
    await backend.close();
  });

  it('a slow Redis beyond the timeout fails within the timeout', async () => {
    const backend = createBackend({ redis: await connect(), packageName: 'core-test', timeout: timeoutMs });
    faulty.proxy().slow(timeoutMs * 3);
    const { error, elapsed } = await timed(
      backend.run(counterScript, [keyspace.key('slow', 'n')], [1, 60_000]),
    );
    expect(error).toBeInstanceOf(RedisTimeoutError);
    expect(elapsed).toBeLessThan(timeoutMs + margin);
    await backend.close();
  });

  it('a refused or reset connection fails every call within the timeout with a RedisError', async () => {
    const backend = createBackend({ redis: await connect(), packageName: 'core-test', timeout: timeoutMs });
    const key = keyspace.key('refuse', 'n');
    await backend.run(counterScript, [key], [1, 60_000]);
    faulty.proxy().reset();
    faulty.proxy().refuse();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => timed(backend.run(counterScript, [key], [1, 60_000]))),
    );
    for (const { error, elapsed } of results) {
      expect(error).toBeInstanceOf(RedisError);
      expect(elapsed).toBeLessThan(timeoutMs + margin);
    }
    faulty.proxy().pass();
    await expect(eventually(() => backend.run(counterScript, [key], [0, 60_000]))).resolves.toBeDefined();
    await backend.close();
  });

  it('subscribe and publish also obey the deadline', async () => {
    const backend = createBackend({ redis: await connect(), packageName: 'core-test', timeout: timeoutMs });
    faulty.proxy().stall();
    const { error, elapsed } = await timed(backend.publish('rwtest:c', 'x'));
    expect(error).toBeInstanceOf(RedisTimeoutError);
    expect(elapsed).toBeLessThan(timeoutMs + margin);
    faulty.proxy().pass();
    await backend.close();
  });
});

describe('a killed and restarted Redis', () => {
  it('fails in-flight calls without an unhandled rejection and recovers, script cache empty', async () => {
    const own = await startRedis();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // Each client connects once the server is up: one made before the first kill would still be
    // reconnecting (on its own backoff) when its turn comes.
    for (const connect of [connectNodeRedis, connectIoredis]) {
      const backend = createBackend({
        redis: await connect(own.url),
        packageName: 'core-test',
        timeout: timeoutMs,
      });
      const key = keyspace.key('kill', 'n');
      await backend.run(counterScript, [key], [1, 60_000]);
      const load = Array.from({ length: 200 }, () =>
        backend.run(counterScript, [key], [1, 60_000]).then(
          () => 'ok',
          (error: unknown) => error,
        ),
      );
      await own.kill();
      const outcomes = await Promise.all(load);
      for (const outcome of outcomes) if (outcome !== 'ok') expect(outcome).toBeInstanceOf(RedisError);
      // While the client knows Redis is gone, calls fail at once instead of queueing for later.
      await eventually(async () => {
        const error = await backend.run(counterScript, [key], [1, 60_000]).catch((e: unknown) => e);
        if (!(error instanceof RedisUnavailableError))
          throw new Error(`not yet failing fast: ${String(error)}`);
      });
      await own.restart();
      await expect(eventually(() => backend.run(counterScript, [key], [1, 60_000]))).resolves.toEqual([
        expect.any(Number),
        expect.any(Number),
      ]);
      await backend.close();
    }
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    await own.stop();
  });
});

describe('closing while the subscriber connection resubscribes after it was dropped', () => {
  const unhandled = useUnhandledRejections();
  it.each([
    ['node-redis', connectNodeRedis],
    ['ioredis', connectIoredis],
  ] as const)(
    '%s: it subscribes again, and closing meanwhile leaves no unhandled rejection',
    async (_, connect) => {
      const server = await startRedis();
      const proxy = await startFaultProxy(server, { only: 'subscribers' });
      try {
        const redis = await connect(proxy.url);
        const backend = createBackend({ redis, packageName: 'core-test', timeout: timeoutMs });
        const subscribers = async () =>
          ((await redisCommand(server, ['PUBSUB', 'NUMSUB', 'rwtest:resubscribe'])) as unknown[])[1];
        await backend.subscribe('rwtest:resubscribe', () => {});
        // Replies to the subscriber connection come 5 s late: its SUBSCRIBE after the reconnect
        // reaches Redis, and is still unanswered when the backend closes.
        proxy.slow(5_000);
        proxy.reset();
        await waitFor(async () => (await subscribers()) === 0);
        await waitFor(async () => (await subscribers()) === 1, 10_000);
        await backend.close();
        await closeClient(redis);
        await sleep(50);
        expect(unhandled()).toEqual([]);
      } finally {
        await proxy.close();
        await server.stop();
      }
    },
    20_000,
  );
});

describe('clients that cannot be used', () => {
  it('says clearly that a node-redis client is not connected', async () => {
    const backend = createBackend({
      redis: createClient({ url: faulty.server().url }),
      packageName: 'core-test',
    });
    const error = await backend
      .run(counterScript, [keyspace.key('nc', 'n')], [1, 1000])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisNotConnectedError);
    expect((error as Error).message).toMatch(/await client\.connect\(\)/);
  });

  it('says clearly that an ioredis client was closed', async () => {
    const client = new Redis(faulty.server().url);
    await client.quit();
    const backend = createBackend({ redis: client, packageName: 'core-test' });
    const error = await backend
      .run(counterScript, [keyspace.key('nc', 'n')], [1, 1000])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisNotConnectedError);
    expect((error as Error).message).toMatch(/ioredis client has been closed/);
  });

  it.each([[{}], ['redis://localhost'], [42], [null], [{ sendCommand: 1 }]])(
    'rejects %p as `redis`',
    (redis) => {
      expect(() => createBackend({ redis, packageName: 'core-test' })).toThrow(RediwareConfigError);
      expect(() => createBackend({ redis, packageName: 'core-test' })).toThrow(
        /`redis`: expected a node-redis client/,
      );
    },
  );

  it('rejects a bad timeout naming it', () => {
    expect(() => createBackend({ timeout: '0ms', packageName: 'core-test' })).toThrow(/`timeout`/);
    expect(() => createBackend({ timeout: 'soon', packageName: 'core-test' })).toThrow(/`timeout`/);
  });
});

describe('node-redis v4', () => {
  it('runs scripts and keeps binary replies intact', async () => {
    const client = createClientV4({ url: faulty.server().url });
    client.on('error', () => {});
    await client.connect();
    const backend = createBackend({ redis: client, packageName: 'core-test' });
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const keys = [keyspace.key('v4', 'a'), keyspace.key('v4', 'b')];
    const [value] = await backend.run(setGetScript, keys, [bytes], { buffers: true });
    expect(Buffer.compare(value as Buffer, bytes)).toBe(0);
    expect(await backend.run(counterScript, [keyspace.key('v4', 'n')], [1, 1000])).toEqual([
      1,
      expect.any(Number),
    ]);
    const received: string[] = [];
    await backend.subscribe('rwtest:v4', (message) => received.push(message));
    await backend.publish('rwtest:v4', 'hello');
    await eventually(async () => {
      if (received.length === 0) throw new Error('not yet');
    });
    await backend.close();
    await client.disconnect();
  });
});

describe('withFailPolicy', () => {
  const failing = () => Promise.reject(new RedisTimeoutError('script x', 10));

  it('passes the answer through and reports nothing when Redis answers', async () => {
    const events: FailureEvent[] = [];
    const result = await withFailPolicy(Promise.resolve('answer'), {
      operation: 'consume',
      failOpen: true,
      fallback: () => 'fallback',
      onFailure: (event) => events.push(event),
    });
    expect(result).toBe('answer');
    expect(events).toEqual([]);
  });

  it('fails open with the fallback and an event', async () => {
    const events: FailureEvent[] = [];
    const result = await withFailPolicy(failing(), {
      operation: 'consume',
      failOpen: true,
      fallback: () => 'fallback',
      onFailure: (event) => events.push(event),
    });
    expect(result).toBe('fallback');
    expect(events).toEqual([
      { operation: 'consume', error: expect.any(RedisTimeoutError), failedOpen: true },
    ]);
  });

  it('fails closed by rethrowing, after the event', async () => {
    const events: FailureEvent[] = [];
    await expect(
      withFailPolicy(failing(), {
        operation: 'get',
        failOpen: false,
        fallback: () => 1,
        onFailure: (e) => events.push(e),
      }),
    ).rejects.toBeInstanceOf(RedisTimeoutError);
    expect(events).toHaveLength(1);
    expect(events[0]?.failedOpen).toBe(false);
  });

  it('fails closed without a fallback', async () => {
    const events: FailureEvent[] = [];
    await expect(
      withFailPolicy(failing(), { operation: 'get', failOpen: false, onFailure: (e) => events.push(e) }),
    ).rejects.toBeInstanceOf(RedisTimeoutError);
    expect(events).toEqual([{ operation: 'get', error: expect.any(RedisTimeoutError), failedOpen: false }]);
  });

  it('never swallows an error that is not a Redis failure', async () => {
    const bug = new TypeError('bug');
    const events: FailureEvent[] = [];
    await expect(
      withFailPolicy(Promise.reject(bug), {
        operation: 'x',
        failOpen: true,
        fallback: () => 1,
        onFailure: (e) => events.push(e),
      }),
    ).rejects.toBe(bug);
    expect(events).toEqual([]);
  });
});
