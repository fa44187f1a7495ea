import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocker } from '@rediware/lock';
import { type Address, commandCalls } from '@rediware/testing';
import { Redis } from 'ioredis';
import { Mutex } from 'redis-semaphore';
import { commandDelta, totalCalls } from '../runner/command-stats';
import { percentile } from '../runner/statistics';
import { Redlock, type Settings } from '../servers/redlock';

// Contended hand-off: one side holds the lock, the other is already waiting for it; the time from
// the holder's release() call to the waiter's acquire resolving is one sample. The two sides have
// their own ioredis clients (as two app servers would) and swap roles every round. The release
// comes 2-12 ms (uniformly random) after the waiter started, so polling waiters are caught at
// every phase of their retry interval, as they would be in production.

interface Held {
  release(): Promise<unknown>;
}

interface Side {
  /** Takes the lock, waiting as long as it takes (the bench's own bound is 10 s). */
  acquire(): Promise<Held>;
}

interface Contender {
  name: string;
  note: string;
  /** Rounds for this contender: fewer for one whose hand-off takes ~100 ms by design. */
  rounds: (requested: number) => number;
  sides(a: Redis, b: Redis): { sides: [Side, Side]; close(): Promise<void> };
}

export interface HandoffResult {
  name: string;
  note: string;
  rounds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Redis commands (INFO commandstats, including those inside scripts) per hand-off. */
  commandsPerHandoff: number;
}

const key = 'handoff';
const ttlMs = 30_000;
const waitMs = 10_000;

const redlockSettings = (settings: Partial<Settings>) => (redis: Redis) => {
  const redlock = new Redlock([redis], settings);
  redlock.on('error', () => {});
  return { acquire: () => redlock.acquire([key], ttlMs) };
};

const contenders: Contender[] = [
  {
    name: 'rediware lock',
    note: 'defaults: waiters woken by the release message',
    rounds: (n) => n,
    sides(a, b) {
      const lockers = [createLocker({ redis: a }), createLocker({ redis: b })] as const;
      const side = (locker: (typeof lockers)[number]): Side => ({
        acquire: () => locker.acquire(key, { ttl: ttlMs, wait: waitMs }),
      });
      return {
        sides: [side(lockers[0]), side(lockers[1])],
        close: async () => void (await Promise.all(lockers.map((locker) => locker.close()))),
      };
    },
  },
  {
    name: 'redis-semaphore Mutex',
    note: 'defaults: polls every 10 ms',
    rounds: (n) => n,
    sides(a, b) {
      const side = (redis: Redis): Side => ({
        acquire: async () => {
          const mutex = new Mutex(redis, key, { lockTimeout: ttlMs, acquireTimeout: waitMs });
          await mutex.acquire();
          return mutex;
        },
      });
      return { sides: [side(a), side(b)], close: async () => {} };
    },
  },
  {
    name: 'redlock 5, retryDelay 10 ms',
    note: 'tuned to poll like redis-semaphore: retryDelay 10 ms ± 5, unlimited retries',
    rounds: (n) => n,
    sides(a, b) {
      const make = redlockSettings({ retryCount: -1, retryDelay: 10, retryJitter: 5 });
      return { sides: [make(a), make(b)], close: async () => {} };
    },
  },
  {
    name: 'redlock 5, defaults',
    note: 'retryDelay 200 ms ± 100, 10 retries; at most 50 rounds',
    rounds: (n) => Math.min(n, 50),
    sides(a, b) {
      const make = redlockSettings({});
      return { sides: [make(a), make(b)], close: async () => {} };
    },
  },
];

async function measure(contender: Contender, redis: Address, requested: number): Promise<HandoffResult> {
  const url = `redis://${redis.host}:${redis.port}`;
  const clients = [new Redis(url), new Redis(url)] as const;
  const { sides, close } = contender.sides(clients[0], clients[1]);
  const rounds = contender.rounds(requested);
  const latencies: number[] = [];
  try {
    let holder = 0;
    let held = await sides[0].acquire();
    const before = await commandCalls([redis]);
    for (let round = 0; round < rounds; round++) {
      const waiter = 1 - holder;
      const waiting = (sides[waiter] as Side).acquire();
      await sleep(2 + Math.random() * 10);
      const released = performance.now();
      await held.release();
      held = await waiting;
      latencies.push(performance.now() - released);
      holder = waiter;
    }
    const commands = totalCalls(commandDelta(before, await commandCalls([redis])));
    await held.release();
    return {
      name: contender.name,
      note: contender.note,
      rounds,
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: percentile(latencies, 1),
      commandsPerHandoff: commands / rounds,
    };
  } finally {
    await close();
    for (const client of clients) client.disconnect();
  }
}

/** Every contender in turn on the bench's Redis. */
export async function runHandoff(redis: Address, rounds: number): Promise<HandoffResult[]> {
  const results: HandoffResult[] = [];
  for (const contender of contenders) results.push(await measure(contender, redis, rounds));
  return results;
}
