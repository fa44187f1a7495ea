// CPU cost of one operation without HTTP: `pnpm --filter @rediware/bench cost [name...] [--ops N]`
// (on the built packages: `pnpm build` first; the script sets TSX_TSCONFIG_PATH to tsconfig.servers.json).
// Runs N operations (50 in flight, like the load's 50 connections) through each configuration on
// its own ioredis / node-redis client against a redis-server of its own, and prints this process's
// CPU µs per operation (process.cpuUsage: other processes on the machine do not count), the
// redis-server's CPU µs per operation (INFO cpu), Redis commands per operation and round trips
// per operation (commands the client sent, from MONITOR).
// The CPU column moves a few % between runs; the command columns do not move.
import { createLocker } from '@rediware/lock';
import { createRateLimiter } from '@rediware/rate-limit';
import { SessionStore } from '@rediware/session';
import { commandCalls, type RedisServer, redisCommand, startRedis } from '@rediware/testing';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { Mutex } from 'redis-semaphore';
import { redisCpuMicros } from './runner/redis-cpu';

type Operation = (i: number) => Promise<unknown>;
interface Subject {
  setup(redisUrl: string): Promise<{ op: Operation; close(): Promise<void> }>;
}

async function ioredis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  return client;
}

const ttlMs = 10_000;
/** Under callgrind everything runs ~50 times slower: the default 500 ms deadline would expire. */
const timeout = process.env.CALLGRIND === '1' ? '60s' : '500ms';
const subjects: Record<string, Subject> = {
  'lock-rw': {
    async setup(url) {
      const redis = await ioredis(url);
      const locker = createLocker({ redis, timeout });
      const op: Operation = async (i) => (await locker.acquire(`req:${i}`, { ttl: ttlMs })).release();
      return { op, close: () => locker.close().then(() => redis.disconnect()) };
    },
  },
  'lock-redis-semaphore': {
    async setup(url) {
      const redis = await ioredis(url);
      const op: Operation = async (i) => {
        const mutex = new Mutex(redis, `req:${i}`, { lockTimeout: ttlMs, onLockLost: () => {} });
        await mutex.acquire();
        await mutex.release();
      };
      return { op, close: async () => void redis.disconnect() };
    },
  },
  'rate-limit-rw': {
    async setup(url) {
      const redis = await ioredis(url);
      const limiter = createRateLimiter({ redis, limit: 1_000_000_000, window: '1m', timeout });
      return {
        op: () => limiter.consume('127.0.0.1'),
        close: () => limiter.close().then(() => redis.disconnect()),
      };
    },
  },
  'session-get-rw': {
    async setup(url) {
      const redis = createClient({ url });
      await redis.connect();
      const store = new SessionStore({ redis, timeout });
      await store.set('sid', { cookie: { maxAge: 86_400_000 }, user: 'ann' } as never);
      return {
        op: () => store.get('sid'),
        close: async () => {
          await store.close();
          await redis.quit();
        },
      };
    },
  },
};

async function measure(server: RedisServer, name: string, subject: Subject, ops: number): Promise<string> {
  const { op, close } = await subject.setup(server.url);
  const run = async (count: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) await op(next++);
    };
    await Promise.all(Array.from({ length: 50 }, worker));
  };
  await run(2_000);
  await redisCommand(server, ['CONFIG', 'RESETSTAT']);
  await callgrind('--zero');
  const redisCpuBefore = await redisCpuMicros(server);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(ops);
  const { user, system } = process.cpuUsage(cpu);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const redisCpuUs = (await redisCpuMicros(server)) - redisCpuBefore;
  await callgrind(`--dump=${name}`);
  const commands = [...(await commandCalls([server]))]
    .filter(([command]) => command !== 'info' && command !== 'config')
    .reduce((sum, [, calls]) => sum + calls, 0);
  const sent = await sentPerOp(server, op);
  await close();
  await redisCommand(server, ['FLUSHALL']);
  const cpuUs = (user + system) / ops;
  return `| ${name} | ${cpuUs.toFixed(1)} | ${(user / ops).toFixed(1)} | ${(redisCpuUs / ops).toFixed(1)} | ${Math.round((ops * 1000) / wallMs)} | ${(commands / ops).toFixed(2)} | ${sent.toFixed(2)} |`;
}

/**
 * Under `valgrind --tool=callgrind` (CALLGRIND=1), zeroes the counters before the measured
 * operations and dumps them after, so the dump holds their instructions alone (no startup, no
 * warm-up): `callgrind_annotate` on it, divided by --ops, is instructions per operation.
 */
async function callgrind(command: string): Promise<void> {
  if (process.env.CALLGRIND !== '1') return;
  const { execFile } = await import('node:child_process');
  await new Promise((resolve, reject) =>
    execFile('callgrind_control', [command, String(process.pid)], (error) =>
      error ? reject(error) : resolve(undefined),
    ),
  );
}

/** Commands clients sent (not those scripts ran) per operation, over 20 sequential operations. */
async function sentPerOp(server: RedisServer, op: Operation): Promise<number> {
  const { Socket } = await import('node:net');
  const monitor = new Socket();
  let text = '';
  await new Promise<void>((resolve) => monitor.connect(server.port, server.host, resolve));
  monitor.on('data', (chunk) => {
    text += chunk.toString();
  });
  monitor.write('MONITOR\r\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 20; i++) await op(1_000_000_000 + i);
  await new Promise((resolve) => setTimeout(resolve, 50));
  monitor.destroy();
  const lines = text.split('\n').filter((line) => /^\+\d/.test(line) && !line.includes('[0 lua]'));
  return lines.filter((line) => !/"(info|config|monitor)"/i.test(line)).length / 20;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opsAt = args.indexOf('--ops');
  const ops = opsAt >= 0 ? Number(args.splice(opsAt, 2)[1]) : 20_000;
  const names = args.length > 0 ? args : Object.keys(subjects);
  const server = await startRedis();
  console.log('| operation | CPU µs/op | user µs/op | Redis CPU µs/op | ops/s | Redis cmds/op | sent/op |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  try {
    for (const name of names) {
      const subject = subjects[name];
      if (!subject) throw new Error(`unknown: ${name} (known: ${Object.keys(subjects).join(', ')})`);
      console.log(await measure(server, name, subject, ops));
    }
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
