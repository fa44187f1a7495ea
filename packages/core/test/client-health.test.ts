import { setTimeout as sleep } from 'node:timers/promises';
import {
  connectIoredis,
  connectNodeRedis,
  startRedis,
  timed,
  useCleanup,
  useFaultyRedis,
  useUnhandledRejections,
  waitFor,
} from '@rediware/testing';
import {
  type Backend,
  classifyRedisError,
  createBackend,
  createKeyspace,
  type HealthChange,
  PROBE_INTERVAL_MS,
  RedisRefusedError,
  RedisTimeoutError,
  RedisUnavailableError,
} from '../src';
import { ClientHealth } from '../src/client-health';
import { counterScript } from './test-scripts';

const keyspace = createKeyspace('rwtest:', 'health');
const timeoutMs = 300;
/** "At once": far below the timeout, generous for a loaded machine. */
const atOnceMs = timeoutMs / 2;
const faulty = useFaultyRedis();
const defer = useCleanup();
const unhandled = useUnhandledRejections();

afterAll(() => expect(unhandled()).toEqual([]));

const clients = {
  'node-redis': connectNodeRedis,
  ioredis: connectIoredis,
};

function backendOn(redis: unknown, changes: HealthChange[] = []): Backend {
  const backend = createBackend({
    redis,
    packageName: 'core-test',
    timeout: timeoutMs,
    onHealthChange: (change) => changes.push(change),
  });
  defer(() => backend.close());
  return backend;
}

const count = (backend: Backend, key = keyspace.key('n', 'n')) =>
  backend.run(counterScript, [key], [1, 60_000]);

describe.each(Object.entries(clients))('one health state per %s client', (_, connect) => {
  it('a stalled Redis costs one timeout: later calls fail at once, on every backend of the client, until a probe finds it back', async () => {
    const redis = await connect(faulty.proxy().url);
    const changes: HealthChange[] = [];
    const first = backendOn(redis, changes);
    const second = backendOn(redis);
    await count(first);
    faulty.proxy().stall();

    const timedOut = await timed(count(first));
    expect(timedOut.error).toBeInstanceOf(RedisTimeoutError);
    expect(timedOut.elapsed).toBeGreaterThanOrEqual(timeoutMs - 20);
    expect(changes).toEqual([{ up: false, cause: timedOut.error }]);

    for (const backend of [first, second, first, second, first]) {
      const { error, elapsed } = await timed(count(backend));
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toMatch(/found down .* and is being probed/);
      expect(elapsed).toBeLessThan(atOnceMs);
    }
    const published = await timed(second.publish('rwtest:health', 'x'));
    expect(published.error).toBeInstanceOf(RedisUnavailableError);
    expect(published.elapsed).toBeLessThan(atOnceMs);

    faulty.proxy().pass();
    const back = Date.now();
    await waitFor(
      async () =>
        await count(second).then(
          () => true,
          () => false,
        ),
      10_000,
    );
    expect(Date.now() - back).toBeLessThan(PROBE_INTERVAL_MS + timeoutMs + 1_000);
    await expect(count(first)).resolves.toEqual([expect.any(Number), expect.any(Number)]);
    expect(changes).toEqual([{ up: false, cause: timedOut.error }, { up: true }]);
  });

  it('a killed Redis: calls fail at once while it is down, and work again once it is restarted', async () => {
    const own = await startRedis();
    defer(() => own.stop());
    const backend = backendOn(await connect(own.url));
    await count(backend);
    await own.kill();
    await count(backend).catch(() => {});
    for (let i = 0; i < 5; i++) {
      const { error, elapsed } = await timed(count(backend));
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect(elapsed).toBeLessThan(atOnceMs);
    }
    await own.restart();
    await waitFor(
      async () =>
        await count(backend).then(
          () => true,
          () => false,
        ),
      10_000,
    );
  });
});

describe('probing', () => {
  /** A probe the test settles by hand. */
  function controlledProbe() {
    const settles: Array<(error?: unknown) => void> = [];
    const probe = jest.fn(
      () =>
        new Promise<void>((resolve, reject) => {
          settles.push((error) => (error === undefined ? resolve() : reject(error)));
        }),
    );
    return { probe, settle: (error?: unknown) => settles.shift()?.(error) };
  }
  const timedOut = () => new RedisTimeoutError('script x', timeoutMs);

  it('probes at once, never two at a time, then every interval until Redis answers', async () => {
    const health = new ClientHealth();
    const changes: HealthChange[] = [];
    const { probe, settle } = controlledProbe();
    const detach = health.attach({ probe, onChange: (change) => changes.push(change) });
    defer(detach);
    expect(probe).not.toHaveBeenCalled();
    const cause = timedOut();
    health.failed(cause);
    health.failed(timedOut());
    expect(health.isDown).toBe(true);
    expect(changes).toEqual([{ up: false, cause }]);
    await sleep(20);
    expect(probe).toHaveBeenCalledTimes(1);
    // However long a probe takes, the next starts only after it failed, an interval later.
    await sleep(PROBE_INTERVAL_MS * 2);
    expect(probe).toHaveBeenCalledTimes(1);
    settle(new RedisUnavailableError('connection reset'));
    await sleep(PROBE_INTERVAL_MS / 2);
    expect(probe).toHaveBeenCalledTimes(1);
    await sleep(PROBE_INTERVAL_MS);
    expect(probe).toHaveBeenCalledTimes(2);
    settle();
    await sleep(10);
    expect(health.isDown).toBe(false);
    expect(changes).toEqual([{ up: false, cause }, { up: true }]);
    await sleep(PROBE_INTERVAL_MS * 2);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('a refused PING, a late answer or a reply error is Redis answering; a refusal never marks it down', async () => {
    const health = new ClientHealth();
    const { probe, settle } = controlledProbe();
    defer(health.attach({ probe, onChange: undefined }));
    health.failed(new RedisRefusedError('script x', 'NOPERM no', 'NOPERM'));
    health.failed(
      classifyRedisError(Object.assign(new Error('LOADING loading'), { name: 'ReplyError' }), 'x'),
    );
    expect(health.isDown).toBe(false);
    health.failed(timedOut());
    await sleep(20);
    settle(classifyRedisError(new Error('NOAUTH Authentication required.'), 'probe PING'));
    await sleep(10);
    expect(health.isDown).toBe(false);
    health.failed(timedOut());
    health.answered();
    expect(health.isDown).toBe(false);
  });

  it('stops probing once every backend on the client is gone, and its timer never holds the process', async () => {
    const health = new ClientHealth();
    const { probe, settle } = controlledProbe();
    const detach = health.attach({ probe, onChange: undefined });
    health.failed(timedOut());
    await sleep(20);
    const timers = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    settle(timedOut());
    await sleep(10);
    // The wait before the next probe is armed, unref'd: no more timers keep the process alive.
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(timers);
    detach();
    await sleep(PROBE_INTERVAL_MS * 2);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(health.isDown).toBe(true);
    // A backend attached later resumes probing at once.
    defer(health.attach({ probe, onChange: undefined }));
    await sleep(20);
    expect(probe).toHaveBeenCalledTimes(2);
    settle();
  });
});
