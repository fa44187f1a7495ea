import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { L1Options } from '../../src';

const workerFile = join(__dirname, 'workers', 'cache-worker.ts');
const root = join(__dirname, '..', '..', '..', '..');

/** A cache in another OS process, driven by commands. */
export interface CacheWorker {
  call<T>(command: Record<string, unknown>): Promise<T>;
  /** Resolves when the process has exited. Created at start, so an early exit is never missed. */
  readonly exited: Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * `address`: a Redis URL, or the cluster's root nodes; `l1`: true or the cache's `l1` options;
 * `client`: of a standalone server (ioredis by default; a cluster is always ioredis).
 */
export function startWorker(
  address: string | { host: string; port: number }[],
  options: { l1?: boolean | L1Options; client?: 'ioredis' | 'node-redis' } = {},
): Promise<CacheWorker> {
  const cluster = typeof address !== 'string';
  const mode = cluster ? 'cluster' : options.client === 'node-redis' ? 'node-redis' : 'standalone';
  const l1 = options.l1 === true ? { maxEntries: 100, ttl: '1m' } : options.l1;
  const child: ChildProcess = fork(
    workerFile,
    [cluster ? JSON.stringify(address) : address, mode, l1 ? JSON.stringify(l1) : ''],
    { cwd: root, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let nextId = 0;
  const pending = new Map<number, (result: unknown) => void>();
  child.on('message', (message: { id?: number; result?: unknown }) => {
    if (message.id === undefined) return;
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  const worker: CacheWorker = {
    exited,
    call: <T>(command: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, resolve as (result: unknown) => void);
        child.send({ ...command, id }, (error) => error && reject(error));
      }),
    stop: async () => {
      if (child.connected) await worker.call({ op: 'exit' });
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(worker));
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
}
