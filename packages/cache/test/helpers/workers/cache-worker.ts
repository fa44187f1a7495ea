/**
 * A separate OS process holding one cache on a shared Redis. The parent sends commands
 * ({ id, op, ... }) and gets ({ id, result }) back; 'exit' closes everything and disconnects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { createClient } from 'redis';
import { createCache, type L1Options } from '../../../src';

/** 'standalone' and 'cluster' are ioredis; 'node-redis' is a standalone node-redis client. */
const [url, mode, l1] = process.argv.slice(2) as [string, 'standalone' | 'cluster' | 'node-redis', string];

const nodeRedis = mode === 'node-redis' ? createClient({ url }) : undefined;
// connect() marks the client open at once; commands wait for the connection.
const connected = nodeRedis?.connect();
const redis =
  nodeRedis ??
  (mode === 'cluster' ? new Cluster(JSON.parse(url) as { host: string; port: number }[]) : new Redis(url));
const cache = createCache({
  redis,
  ttl: '1m',
  prefix: 'rwproc:',
  ...(l1 ? { l1: JSON.parse(l1) as L1Options } : {}),
});
let loaderCalls = 0;

interface Command {
  id: number;
  op:
    | 'wrapMany'
    | 'loadMany'
    | 'get'
    | 'getMany'
    | 'set'
    | 'delete'
    | 'invalidate'
    | 'stats'
    | 'metrics'
    | 'exit';
  key?: string;
  keys?: string[];
  value?: unknown;
  tags?: string[];
  count?: number;
  loadMs?: number;
}

process.on('message', async (command: Command) => {
  const reply = (result: unknown) => process.send?.({ id: command.id, result });
  switch (command.op) {
    case 'wrapMany': {
      const values = await Promise.all(
        Array.from({ length: command.count ?? 1 }, () =>
          cache.wrap(command.key ?? 'k', async () => {
            loaderCalls++;
            await sleep(command.loadMs ?? 0);
            return { loadedBy: process.pid };
          }),
        ),
      );
      reply({ loaderCalls, values });
      break;
    }
    case 'loadMany': {
      // One real wrapMany per call (the op above is many concurrent wraps); reports the keys loaded here.
      const loaded: string[] = [];
      const values = await cache.wrapMany(command.keys ?? [], async (missing) => {
        loaded.push(...missing);
        await sleep(command.loadMs ?? 0);
        return missing.map((key) => ({ key, loadedBy: process.pid }));
      });
      reply({ loaded, values });
      break;
    }
    case 'get':
      reply(await cache.get(command.key ?? 'k'));
      break;
    case 'getMany':
      reply(await cache.getMany(command.keys ?? []));
      break;
    case 'set':
      reply(await cache.set(command.key ?? 'k', command.value, { tags: command.tags ?? [] }));
      break;
    case 'delete':
      reply(await cache.delete(command.key ?? 'k'));
      break;
    case 'invalidate':
      reply(await cache.invalidate({ tags: command.tags ?? [] }));
      break;
    case 'stats':
      reply(cache.stats());
      break;
    case 'metrics':
      reply(cache.metrics());
      break;
    case 'exit':
      await cache.close();
      if (nodeRedis) await nodeRedis.close();
      else redis.disconnect();
      reply('bye');
      process.disconnect();
      break;
  }
});
// Subscribed before the parent sends anything, so the first read may fill L1.
void Promise.resolve(connected)
  .then(() => cache.ready())
  .then(() => process.send?.({ ready: true }));
