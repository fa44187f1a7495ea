import { type FailureEvent, RedisTimeoutError, RedisUnavailableError } from '@rediware/core';
import {
  closeClient,
  connectIoredis,
  eventually,
  type IoredisClient,
  rejectionOf,
  useFaultyRedis,
  waitFor,
} from '@rediware/testing';
import { createLocker, LockBusyError, type Locker, LockLostError, type LockLostEvent } from '../src';

const faulty = useFaultyRedis();
let direct: IoredisClient;
let proxied: IoredisClient;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  [direct, proxied] = await Promise.all([
    connectIoredis(faulty.server().url),
    connectIoredis(faulty.proxy().url),
  ]);
});
afterAll(async () => {
  await Promise.all([closeClient(direct), closeClient(proxied)]);
  process.off('unhandledRejection', onUnhandled);
});

describe('when Redis fails', () => {
  let locker: Locker;
  let observer: Locker;
  let failures: FailureEvent[];

  beforeEach(async () => {
    faulty.proxy().pass();
    await waitFor(() => proxied.status === 'ready', 10_000);
    await direct.flushall();
    locker = createLocker({ redis: proxied, timeout: 200 });
    // The previous test's fault may leave the client marked down until a probe finds Redis back.
    await eventually(async () => (await locker.acquire('warm-up', { ttl: 100 })).release());
    failures = [];
    locker.on('failure', (event) => failures.push(event));
    observer = createLocker({ redis: direct });
  });
  afterEach(async () => {
    faulty.proxy().pass();
    await Promise.all([locker.close(), observer.close()]);
    expect(unhandled).toEqual([]);
  });

  it('fails an acquisition within its deadline when Redis does not answer, and says so', async () => {
    faulty.proxy().stall();
    const started = Date.now();
    const error = await rejectionOf(locker.acquire('k', { ttl: '10s', wait: '10s' }));
    expect(error).toBeInstanceOf(RedisTimeoutError);
    expect(error).not.toBeInstanceOf(LockBusyError);
    expect(Date.now() - started).toBeLessThan(200 + 1_000);
    expect(failures).toEqual([expect.objectContaining({ operation: 'lock acquire', failedOpen: false })]);
  });

  it('fails with RedisUnavailableError when Redis refuses connections', async () => {
    faulty.proxy().refuse();
    await waitFor(() => proxied.status !== 'ready');
    await expect(locker.acquire('k', { ttl: '10s' })).rejects.toBeInstanceOf(RedisUnavailableError);
  });

  it('takes back an acquisition that timed out but ran in Redis later', async () => {
    // Scripts cached first: after a deadline NOSCRIPT is final, so a cold cache would hide the ghost.
    await (await locker.acquire('ghost', { ttl: '1s' })).release();
    faulty.proxy().stall();
    await expect(locker.acquire('ghost', { ttl: '60s' })).rejects.toBeInstanceOf(RedisTimeoutError);
    faulty.proxy().pass();
    // The late acquire ran, then the release sent after the timeout: the key is free, long before 60 s.
    await waitFor(async () => {
      const lock = await observer.acquire('ghost', { ttl: '1s' }).catch(() => undefined);
      await lock?.release();
      return lock !== undefined;
    });
  });

  it('aborts the signal and emits lost when extensions cannot reach Redis before the ttl runs out', async () => {
    const lost: LockLostEvent[] = [];
    locker.on('lost', (event) => lost.push(event));
    const lock = await locker.acquire('extend-me', { ttl: 600 });
    faulty.proxy().stall();
    await waitFor(() => lock.signal.aborted, 600 + 1_000);
    expect(lock.signal.reason).toBeInstanceOf(LockLostError);
    expect(lost).toHaveLength(1);
    expect(failures.some((event) => event.operation === 'lock extend')).toBe(true);
    faulty.proxy().pass();
    expect(await lock.release()).toBe(false);
  });

  it('aborts the signal when an extension finds the lock taken by someone else', async () => {
    const lock = await locker.acquire('stolen', { ttl: 900 });
    // Someone deletes the key and another holder takes it: the next extension sees it.
    await direct.flushall();
    const thief = await observer.acquire('stolen', { ttl: '10s' });
    await waitFor(() => lock.signal.aborted, 900 + 1_000);
    expect((lock.signal.reason as LockLostError).code).toBe('ERR_RW_LOCK_LOST');
    expect(await lock.release()).toBe(false);
    expect(await thief.release()).toBe(true);
  });

  it('rejects a release that cannot reach Redis, and reports it', async () => {
    const lock = await locker.acquire('r', { ttl: '10s', autoExtend: false });
    faulty.proxy().stall();
    await expect(lock.release()).rejects.toBeInstanceOf(RedisTimeoutError);
    expect(failures.some((event) => event.operation === 'lock release')).toBe(true);
  });

  it('withLock reports a failed release as an event, not as an error', async () => {
    const result = await locker.withLock('wl', { ttl: '10s' }, () => {
      faulty.proxy().stall();
      return 'done';
    });
    expect(result).toBe('done');
    expect(failures.some((event) => event.operation === 'lock release')).toBe(true);
  });
});
