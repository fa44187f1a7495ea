import { createKeyspace } from '@rediware/core';
import {
  type FaultProxy,
  type RedisServer,
  redisCommand,
  startFaultProxy,
  startRedis,
  waitFor,
} from '@rediware/testing';
import type { CacheMetrics, L1Options } from '../../src';
import { type CacheWorker, startWorker } from '../helpers/worker-process';

/*
 * Two processes with L1 on one Redis. `cut` reaches Redis through a fault proxy that hits only its
 * subscriber connection (its commands always pass); `writer` changes keys while that link is down.
 * `cut` must never answer with a value the writer invalidated: not while the link is down, and not
 * after it returns.
 */

let server: RedisServer;
let proxy: FaultProxy;
let cut: CacheWorker;
let writer: CacheWorker;
const entryKey = (key: string) => createKeyspace('rwproc:', 'cache').key(key, 'e');

beforeAll(async () => {
  server = await startRedis();
  proxy = await startFaultProxy(server, { only: 'subscribers' });
}, 60_000);
afterAll(async () => {
  await proxy.close();
  await server.stop();
});

type Client = 'ioredis' | 'node-redis';

async function startPair(client: Client, l1: L1Options): Promise<void> {
  await redisCommand(server, ['FLUSHALL']);
  [cut, writer] = await Promise.all([
    startWorker(proxy.url, { l1, client }),
    startWorker(server.url, { l1: true }),
  ]);
}

afterEach(async () => {
  proxy.pass();
  await Promise.all([cut?.stop(), writer?.stop()]);
});

const get = (key: string) => cut.call<unknown>({ op: 'get', key });
const resets = async () => (await cut.call<CacheMetrics>({ op: 'metrics' })).l1Resets;

/** Overwrites the stored value behind the caches' back (no bus message): only an L1 still answers the old one. */
async function overwriteSilently(key: string, value: string): Promise<void> {
  await redisCommand(server, ['HSET', entryKey(key), 'v', JSON.stringify(value)]);
}

/** The writer stores k1..k3 = 'v1' (k3 tagged); `cut` reads them and is proven to hold them in L1. */
async function fillCutL1(): Promise<void> {
  for (const key of ['k1', 'k2', 'k3']) {
    await writer.call({ op: 'set', key, value: 'v1', tags: key === 'k3' ? ['t'] : [] });
  }
  await waitFor(
    async () => (await cut.call<unknown[]>({ op: 'getMany', keys: ['k1', 'k2', 'k3'] }))[2] === 'v1',
  );
  for (const key of ['k1', 'k2', 'k3']) await overwriteSilently(key, 'v1-silent');
  expect(await cut.call({ op: 'getMany', keys: ['k1', 'k2', 'k3'] })).toEqual(['v1', 'v1', 'v1']);
  // Back to what the writer wrote, still unannounced.
  for (const key of ['k1', 'k2', 'k3']) await overwriteSilently(key, 'v1');
}

/** Delete, set and tag invalidation of what `cut` holds, from the other process. */
async function invalidateFromWriter(): Promise<void> {
  await writer.call({ op: 'delete', key: 'k1' });
  await writer.call({ op: 'set', key: 'k2', value: 'v2' });
  await writer.call({ op: 'invalidate', tags: ['t'] });
}

async function expectCurrentValues(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    expect(await get('k1')).toBeUndefined();
    expect(await get('k2')).toBe('v2');
    expect(await get('k3')).toBeUndefined();
    expect(await cut.call({ op: 'getMany', keys: ['k1', 'k2', 'k3'] })).toEqual([null, 'v2', null]); // undefined crosses IPC as null
  }
}

/** True once `cut` serves `key` from L1 again (it keeps a value Redis no longer has). */
async function servesFromL1(key: string): Promise<boolean> {
  await writer.call({ op: 'set', key, value: 'fresh' });
  if ((await get(key)) !== 'fresh') return false;
  await overwriteSilently(key, 'silent');
  return (await get(key)) === 'fresh';
}

describe.each<Client>(['ioredis', 'node-redis'])(
  'L1 when the invalidation bus of one process fails (%s)',
  (client) => {
    it('the subscriber connection drops: L1 is bypassed during the outage and refilled after it', async () => {
      // No heartbeat: the lost connection alone must make L1 distrust what it holds.
      await startPair(client, { maxEntries: 100, ttl: '1m', maxUnverified: false });
      await fillCutL1();
      proxy.refuse();
      await waitFor(async () => (await resets()) >= 1);
      await invalidateFromWriter();
      await expectCurrentValues();
      proxy.pass();
      await waitFor(() => servesFromL1('probe'), 15_000);
      await expectCurrentValues();
      // Invalidations reach it again.
      await writer.call({ op: 'set', key: 'k2', value: 'v3' });
      await waitFor(async () => (await get('k2')) === 'v3');
    }, 60_000);

    it('the subscriber link stalls without an error: L1 stops serving once unverified for l1.maxUnverified', async () => {
      await startPair(client, { maxEntries: 100, ttl: '1m', maxUnverified: '1s' });
      await fillCutL1();
      proxy.stall();
      await invalidateFromWriter();
      // Within maxUnverified the old value may still be served; past it, never again.
      await waitFor(async () => (await get('k1')) === undefined, 15_000);
      await expectCurrentValues();
      proxy.pass();
      // The held probe echoes arrive: the lapse is counted and L1 is trusted (and filled) again.
      await waitFor(async () => (await resets()) >= 1, 15_000);
      await waitFor(() => servesFromL1('probe'), 15_000);
      await expectCurrentValues();
    }, 60_000);
  },
);
