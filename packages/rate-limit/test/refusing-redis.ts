import { once } from 'node:events';
import {
  allKeys,
  destroyNodeRedis,
  lockDownRedis,
  lockedDown,
  type RedisServer,
  redisCommand,
  startRedis,
  useCleanup,
  useUnhandledRejections,
} from '@rediware/testing';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

export type ClientKind = 'node-redis' | 'ioredis';
export const clientKinds: readonly ClientKind[] = ['node-redis', 'ioredis'];

/** One way Redis answers that it refuses our commands. */
export interface Refusal {
  /** How the scenario is named in test titles. */
  name: string;
  /** The code of Redis's reply. */
  replyCode: string;
  /**
   * Calls `makeApp` with a client of `kind` before the client first connects (as an app does at
   * startup: the limiter sees the client's first refusal), then connects it and waits until it
   * is ready or refused. Closed after the test.
   */
  serve<App>(
    kind: ClientKind,
    makeApp: (redis: Redis | ReturnType<typeof createClient>) => Promise<App>,
  ): Promise<App>;
  /**
   * Run after one request that Redis admitted (undefined when Redis refuses from the first one):
   * turns every key under `prefix` into a key of another type.
   */
  spoil?: (prefix: string) => Promise<void>;
}

/**
 * Three real servers that refuse: one with `requirepass` and an ACL user without EVAL/EVALSHA,
 * one where the test writes keys of the wrong type, one full (maxmemory 1mb, noeviction).
 */
export function useRefusingRedis(): { refusals: Refusal[]; unhandled: () => unknown[] } {
  const defer = useCleanup();
  const unhandled = useUnhandledRejections();
  let locked: RedisServer;
  let plain: RedisServer;
  let full: RedisServer;
  beforeAll(async () => {
    [locked, plain, full] = await Promise.all([
      startRedis(),
      startRedis(),
      startRedis({ args: ['--maxmemory', '1mb', '--maxmemory-policy', 'noeviction'] }),
    ]);
    await lockDownRedis(locked);
    // A script may pass maxmemory once it has written: this one leaves Redis full for any write.
    const fill = "for i = 1, 512 do redis.call('SET', 'fill:' .. i, string.rep('x', 1024)) end";
    await redisCommand(full, ['EVAL', fill, '0']);
  });
  afterAll(async () => {
    await Promise.all([locked.stop(), plain.stop(), full.stop()]);
  });

  const serveOn =
    (server: () => RedisServer, userInfo = '') =>
    async <App>(
      kind: ClientKind,
      makeApp: (redis: Redis | ReturnType<typeof createClient>) => Promise<App>,
    ) => {
      const url = `redis://${userInfo}${server().host}:${server().port}`;
      if (kind === 'node-redis') {
        const client = createClient({ url }).on('error', () => {});
        defer(() => destroyNodeRedis(client));
        const app = await makeApp(client);
        await Promise.race([client.connect().catch(() => {}), once(client, 'error')]);
        return app;
      }
      const client = new Redis(url, { lazyConnect: true, disconnectTimeout: 100 }).on('error', () => {});
      defer(() => client.disconnect());
      const app = await makeApp(client);
      client.connect().catch(() => {});
      await new Promise((resolve) => client.once('ready', resolve).once('error', resolve));
      return app;
    };

  const refusals: Refusal[] = [
    { name: 'no password', replyCode: 'NOAUTH', serve: serveOn(() => locked) },
    { name: 'a wrong password', replyCode: 'WRONGPASS', serve: serveOn(() => locked, ':wrong@') },
    {
      name: 'an ACL user without EVAL/EVALSHA',
      replyCode: 'NOPERM',
      serve: serveOn(() => locked, lockedDown.noEvalUser),
    },
    {
      name: 'a key of the wrong type',
      replyCode: 'WRONGTYPE',
      serve: serveOn(() => plain),
      spoil: async (prefix) => {
        const keys = (await allKeys(plain)).filter((key) => key.startsWith(prefix));
        if (keys.length === 0) throw new Error(`no key under ${prefix} to spoil`);
        for (const key of keys) await spoilKey(plain, key);
      },
    },
    { name: 'Redis out of memory', replyCode: 'OOM', serve: serveOn(() => full) },
  ];
  return { refusals, unhandled };
}

/** A string (the counters' state) becomes a list, a sorted set (the sliding log) a string. */
export async function spoilKey(server: RedisServer, key: string): Promise<void> {
  const type = await redisCommand(server, ['TYPE', key]);
  await redisCommand(server, ['DEL', key]);
  if (type === 'string') await redisCommand(server, ['RPUSH', key, 'not', 'a', 'counter']);
  else await redisCommand(server, ['SET', key, 'not a log']);
}
