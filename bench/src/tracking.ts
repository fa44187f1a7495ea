// Issue #35's "measure before you build": what Redis's own client tracking (RESP3, node-redis 5's
// client-side cache) would give a hot read, against a plain read and the cache engine's L1 over its
// bus, with Redis a hop away: `pnpm --filter @rediware/bench tracking [--rtt 1] [--reads 500]
// [--writes 200]` (on the built packages). Prints, per way of reading:
// - the p50 / p99 ms of `--reads` reads of one hot key, one at a time;
// - coherence: `--writes` times, a writer on its own connection changes the key and, as soon as
//   its write is acknowledged, a reader that holds the key reads it: how many of those reads were
//   stale, and the p50 / p99 / max ms from the acknowledgement until the reader sees the new value.
// Writer and reader share this process but not a connection: each change reaches the reader over
// the network (through the proxy) as it would reach another app server. The proxy flushes what is
// due connection by connection in the order they were opened, so the writer's connection is opened
// first: its acknowledgement and the reader's notification, due at the same time, arrive in that
// order, as they may on two machines.
import { createCache } from '@rediware/cache';
import { startRedis } from '@rediware/testing';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startProxyProcess } from './runner/proxy-process';
import { percentile } from './runner/statistics';

interface Reader {
  read(): Promise<string | undefined>;
}
interface Way {
  readonly name: string;
  /** A reader of `key` and a writer of it, on connections of their own. */
  open(
    url: string,
    key: string,
  ): Promise<{ reader: Reader; write(value: string): Promise<void>; close(): Promise<void> }>;
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

async function nodeRedis(url: string, tracked: boolean) {
  const client = tracked
    ? createClient({ url, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 10_000 } })
    : createClient({ url });
  await client.connect();
  return client;
}

async function ioredis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  return client;
}

/** A session read is one HMGET of its hash: plain, or served by the client-side cache once held. */
function hmget(tracked: boolean): Way {
  return {
    name: tracked ? 'HMGET, RESP3 client-side cache' : 'HMGET (a session read today)',
    async open(url, key) {
      const writer = await nodeRedis(url, false);
      const reader = await nodeRedis(url, tracked);
      return {
        reader: { read: async () => (await reader.hmGet(key, ['v']))[0] ?? undefined },
        write: async (value) => void (await writer.hSet(key, 'v', value)),
        close: async () => void (await Promise.all([reader.close(), writer.close()])),
      };
    },
  };
}

/** The cache engine's `get`: one round trip, or none from L1 (evicted by the bus on a change). */
function engine(l1: boolean): Way {
  return {
    name: l1 ? 'rediware cache get, L1 + bus' : 'rediware cache get, no L1',
    async open(url, key) {
      const writerRedis = await ioredis(url);
      const writer = createCache({ redis: writerRedis, ttl: '1h' });
      await writer.ready();
      const readerRedis = await ioredis(url);
      const reader = createCache({ redis: readerRedis, ttl: '1h', ...(l1 ? { l1: true } : {}) });
      await reader.ready();
      return {
        reader: { read: () => reader.get<string>(key) },
        write: (value) => writer.set(key, value),
        close: async () => {
          await Promise.all([reader.close(), writer.close()]);
          readerRedis.disconnect();
          writerRedis.disconnect();
        },
      };
    },
  };
}

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const cells = (samples: number[]) =>
  `${percentile(samples, 0.5).toFixed(2)} / ${percentile(samples, 0.99).toFixed(2)}`;

async function measure(way: Way, url: string, reads: number, writes: number): Promise<string> {
  const { reader, write, close } = await way.open(url, `tracking:${way.name}`);
  try {
    await write('0');
    await reader.read();
    const readTimes: number[] = [];
    for (let i = 0; i < reads; i++) {
      const started = process.hrtime.bigint();
      if ((await reader.read()) !== '0') throw new Error(`${way.name}: a read missed the value`);
      readTimes.push(ms(started));
    }
    let stale = 0;
    const seenAfter: number[] = [];
    for (let i = 1; i <= writes; i++) {
      const value = String(i);
      await write(value);
      const acknowledged = process.hrtime.bigint();
      if ((await reader.read()) !== value) {
        stale += 1;
        while ((await reader.read()) !== value) await new Promise((resolve) => setImmediate(resolve));
      }
      seenAfter.push(ms(acknowledged));
      // Held again, as a hot key is, before the next change.
      await reader.read();
    }
    return `| ${way.name} | ${cells(readTimes)} | ${stale} of ${writes} | ${cells(seenAfter)} / ${Math.max(...seenAfter).toFixed(2)} |`;
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const rtt = flag('rtt', 1);
  const reads = flag('reads', 500);
  const writes = flag('writes', 200);
  const redis = await startRedis();
  const proxy = await startProxyProcess(redis);
  try {
    await proxy.setRtt(rtt);
    console.log(`Redis ${rtt} ms away (delay proxy); ${reads} reads, ${writes} changes\n`);
    console.log('| read | p50 / p99 ms | stale reads after a change | ms until seen p50 / p99 / max |');
    console.log('| --- | --- | --- | --- |');
    for (const way of [hmget(false), hmget(true), engine(false), engine(true)])
      console.log(await measure(way, proxy.url, reads, writes));
  } finally {
    await proxy.stop();
    await redis.stop();
  }
}

await main();
