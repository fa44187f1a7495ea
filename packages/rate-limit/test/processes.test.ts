import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { type RedisServer, redisCommand, startRedis } from '@rediware/testing';
import type { Algorithm } from '../src';

const worker = join(__dirname, 'workers', 'consume-worker.ts');
const root = join(__dirname, '..', '..', '..');
let server: RedisServer;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(() => server.stop());

function start(algorithm: Algorithm): Promise<ChildProcess> {
  const child = fork(worker, [server.url, algorithm, '100', '500'], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

describe.each(['fixed-window', 'sliding-window', 'sliding-log', 'token-bucket'] as const)(
  '%s across 4 processes',
  (algorithm) => {
    it('admits exactly 100 of 2000 concurrent requests', async () => {
      await redisCommand(server, ['FLUSHALL']);
      const workers = await Promise.all(Array.from({ length: 4 }, () => start(algorithm)));
      const exited = workers.map((child) => new Promise((resolve) => child.once('exit', resolve)));
      const counts = workers.map(
        (child) =>
          new Promise<number>((resolve) => {
            child.on('message', (message: { admitted?: number }) => {
              if (message.admitted !== undefined) resolve(message.admitted);
            });
          }),
      );
      for (const child of workers) child.send('go');
      const admitted = await Promise.all(counts);
      expect(admitted.reduce((sum, n) => sum + n, 0)).toBe(100);
      await Promise.all(exited);
    }, 60_000);
  },
);
