/**
 * A separate OS process holding one cache on a shared Redis. The parent sends commands
 * ({ id, op, ... }) and gets ({ id, result }) back; 'exit' closes everything and disconnects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { createCache } from '../../src';

const [url, mode, l1] = process.argv.slice(2) as [string, 'standalone' | 'cluster', string];

const redis =
  mode === 'cluster' ? new Cluster(JSON.parse(url) as { host: string; port: number }[]) : new Redis(url);
const cache = createCache({
  redis,
  ttl: '1m',
  prefix: 'rwproc:',
  ...(l1 === 'l1' ? { l1: { maxEntries: 100, ttl: '1m' } } : {}),
});
let loaderCalls = 0;

interface Command {
  id: number;
  op: 'wrapMany' | 'loadMany' | 'get' | 'stats' | 'exit';
  key?: string;
  keys?: string[];
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
    case 'stats':
      reply(cache.stats());
      break;
    case 'exit':
      await cache.close();
      redis.disconnect();
      reply('bye');
      process.disconnect();
      break;
  }
});
// Subscribed before the parent sends anything, so the first read may fill L1.
void cache.ready().then(() => process.send?.({ ready: true }));
