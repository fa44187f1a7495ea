import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RedisCluster,
  type RedisServer,
  redisCommand,
  startCluster,
  startRedis,
  waitFor,
} from '@rediware/testing';
import { Cluster, Redis } from 'ioredis';
import { createCache } from '../../src';
import { createRecord, readRows } from '../helpers/record-database';

const workerFile = join(__dirname, '..', 'helpers', 'workers', 'write-behind-worker.ts');
const root = join(__dirname, '..', '..', '..', '..');

let server: RedisServer;
let cluster: RedisCluster;
let dir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
  dir = mkdtempSync(join(tmpdir(), 'rw-write-behind-'));
}, 60_000);
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await Promise.all([server.stop(), cluster.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  /** Keys of every batch the worker's flush received, in order. */
  readonly flushed: string[][];
  /** Resolves when a 'crash' worker has committed half its first batch and hangs. */
  readonly flushing: Promise<void>;
  call<T>(op: 'pending' | 'exit'): Promise<T>;
}

type Address = string | { host: string; port: number }[];

function spawnWorker(address: Address, dbFile: string, role: 'crash' | 'steady', streams: number) {
  const clustered = typeof address !== 'string';
  const child = fork(
    workerFile,
    [
      clustered ? JSON.stringify(address) : address,
      clustered ? 'cluster' : 'standalone',
      dbFile,
      role,
      String(streams),
    ],
    { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const flushed: string[][] = [];
  const replies = new Map<number, (result: unknown) => void>();
  let onFlushing = () => {};
  const flushing = new Promise<void>((resolve) => {
    onFlushing = resolve;
  });
  let nextId = 0;
  const ready = new Promise<WorkerProcess>((resolve, reject) => {
    child.on(
      'message',
      (message: { ready?: true; flushing?: true; flushed?: string[]; id?: number; result?: unknown }) => {
        if (message.ready) resolve(worker);
        if (message.flushing) onFlushing();
        if (message.flushed) flushed.push(message.flushed);
        if (message.id !== undefined) replies.get(message.id)?.(message.result);
      },
    );
    void exited.then((code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
  const worker: WorkerProcess = {
    child,
    exited,
    flushed,
    flushing,
    call: <T>(op: 'pending' | 'exit') =>
      new Promise<T>((resolve) => {
        const id = nextId++;
        replies.set(id, resolve as (result: unknown) => void);
        child.send({ id, op });
      }),
  };
  return ready;
}

/** Every key written `rounds` more times, in order per key, keys concurrently; returns the last value per key. */
async function writeRounds(
  cache: ReturnType<typeof createCache>,
  keys: readonly string[],
  from: number,
  to: number,
  expected: Map<string, number>,
): Promise<void> {
  await Promise.all(
    keys.map(async (key) => {
      for (let value = from; value < to; value++) await cache.writeBehind(key, value);
      expected.set(key, to - 1);
    }),
  );
}

async function noWriteLostWhenAWorkerIsKilled(address: Address, streams: number, name: string) {
  const dbFile = join(dir, `${name}.sqlite`);
  await createRecord(dbFile);
  const redis =
    typeof address === 'string' ? new Redis(address) : new Cluster(address, { lazyConnect: false });
  const cache = createCache({ redis, ttl: '1m', prefix: 'rwwb:', writeBehindStreams: streams });
  const keys = Array.from({ length: 60 }, (_, i) => `item:${i}`);
  const expected = new Map<string, number>();
  try {
    await writeRounds(cache, keys, 0, 4, expected);
    const doomed = await spawnWorker(address, dbFile, 'crash', streams);
    await doomed.flushing;
    // Mid-batch: half of it committed to the database, none of it acknowledged.
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const batch = doomed.flushed[0] as string[];
    const afterCrash = await readRows(dbFile);
    expect(afterCrash.size).toBe(Math.floor(batch.length / 2));
    expect(batch.length).toBeGreaterThan(afterCrash.size);

    // Writes go on while no worker runs; the next worker takes the stream over after claimAfter.
    await writeRounds(cache, keys, 4, 6, expected);
    const heir = await spawnWorker(address, dbFile, 'steady', streams);
    await waitFor(async () => (await heir.call<number>('pending')) === 0, 30_000);
    // The heir's first batch of that stream is the dead worker's, reclaimed.
    expect(heir.flushed.some((keysOfBatch) => batch.every((key) => keysOfBatch.includes(key)))).toBe(true);
    await heir.call('exit');
    await heir.exited;
    expect(Object.fromEntries(await readRows(dbFile))).toEqual(Object.fromEntries(expected));
    expect(await cache.get('item:0')).toBe(5);
  } finally {
    await cache.close();
    redis.disconnect();
  }
}

describe('write-behind across OS processes', () => {
  it('a worker killed with SIGKILL mid-batch loses no write (standalone)', async () => {
    await redisCommand(server, ['FLUSHALL']);
    await noWriteLostWhenAWorkerIsKilled(server.url, 1, 'standalone');
  }, 60_000);

  it('a worker killed with SIGKILL mid-batch loses no write (cluster, 3 streams)', async () => {
    await Promise.all(cluster.masters.map((master) => redisCommand(master, ['FLUSHALL'])));
    await noWriteLostWhenAWorkerIsKilled(
      cluster.masters.map(({ host, port }) => ({ host, port })),
      3,
      'cluster',
    );
  }, 60_000);
});
