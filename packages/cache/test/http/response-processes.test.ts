import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '@rediware/testing';
import { rawGet } from '../helpers/raw-get';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(() => server.stop());

const root = join(__dirname, '..', '..', '..', '..');

interface HttpWorker {
  port: number;
  ask<T>(op: string): Promise<T>;
  stop(): Promise<void>;
}

function startHttpWorker(url: string): Promise<HttpWorker> {
  const child: ChildProcess = fork(join(__dirname, '..', 'helpers', 'workers', 'http-worker.ts'), [url], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) =>
      resolve({
        port: message.port,
        ask: <T>(op: string) =>
          new Promise<T>((answer) => {
            child.once('message', answer as (reply: unknown) => void);
            child.send({ op });
          }),
        stop: async () => {
          if (child.connected) child.send({ op: 'exit' });
          await exited;
        },
      }),
    );
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
}

it('50 concurrent misses over 2 processes run the handler once', async () => {
  const workers = await Promise.all([startHttpWorker(server.url), startHttpWorker(server.url)]);
  try {
    const responses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        // One Host, as behind a load balancer: a Host with another port is another site.
        const response = await rawGet(`http://127.0.0.1:${workers[i % 2]?.port}/hot`, { host: 'cache.test' });
        return { xCache: response.headers['x-cache'], body: response.body };
      }),
    );
    const calls = await Promise.all(workers.map((worker) => worker.ask<{ calls: number }>('calls')));
    expect(calls.reduce((sum, reply) => sum + reply.calls, 0)).toBe(1);
    expect(new Set(responses.map((response) => response.body)).size).toBe(1);
    expect(responses.filter((response) => response.xCache === 'MISS')).toHaveLength(1);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}, 60_000);
