/**
 * A write-behind worker in its own OS process, flushing into the SQLite file of record-database.
 * In 'crash' mode its first flush commits half of the batch, tells the parent, and then hangs so
 * the parent can SIGKILL it mid-batch. Commands: { op: 'pending' } and { op: 'exit' }.
 */
import { Cluster, Redis } from 'ioredis';
import { createCache, type WriteBehindWrite } from '../../../src';
import { upsertRows } from '../record-database';

const [url, mode, dbFile, role, streams] = process.argv.slice(2) as [
  string,
  'standalone' | 'cluster',
  string,
  'crash' | 'steady',
  string,
];

const redis =
  mode === 'cluster' ? new Cluster(JSON.parse(url) as { host: string; port: number }[]) : new Redis(url);
const cache = createCache({ redis, ttl: '1m', prefix: 'rwwb:', writeBehindStreams: Number(streams) });
let crashing = role === 'crash';

async function flush(writes: readonly WriteBehindWrite[]): Promise<void> {
  const rows = writes.map((write) => ({ key: write.key, value: write.value as number }));
  process.send?.({ flushed: rows.map((row) => row.key) });
  if (!crashing) return upsertRows(dbFile, rows);
  crashing = false;
  await upsertRows(dbFile, rows.slice(0, Math.floor(rows.length / 2)));
  process.send?.({ flushing: true });
  await new Promise(() => {});
}

const worker = cache.startWriteBehind({ flush, batchSize: 40, maxDelay: 20, claimAfter: 1000 });

process.on('message', async (command: { id: number; op: 'pending' | 'exit' }) => {
  const reply = (result: unknown) => process.send?.({ id: command.id, result });
  if (command.op === 'pending') reply(await worker.pending());
  else {
    await worker.stop();
    await cache.close();
    redis.disconnect();
    reply('bye');
    process.disconnect();
  }
});
process.send?.({ ready: true });
