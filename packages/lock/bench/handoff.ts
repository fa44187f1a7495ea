// Hand-off latency: how long after a release the next waiter holds the lock.
// Run from packages/lock: node --import tsx bench/handoff.ts [rounds]
// Starts its own redis-server (and a 3-master cluster) through @rediware/testing.
import { performance } from 'node:perf_hooks';
import {
  closeAllClients,
  connectIoredis,
  connectIoredisCluster,
  startCluster,
  startRedis,
} from '@rediware/testing';
import { createLocker, type Lock } from '../src';

const rounds = Number(process.argv[2] ?? 500);

async function measure(name: string, clients: [unknown, unknown]): Promise<void> {
  const holderSide = createLocker({ redis: clients[0] as never });
  const waiterSide = createLocker({ redis: clients[1] as never });
  const latencies: number[] = [];
  let held: Lock = await holderSide.acquire('bench', { ttl: '30s' });
  for (let i = 0; i < rounds; i++) {
    const waiting = waiterSide.acquire('bench', { ttl: '30s', wait: '10s' });
    // Let the waiter fail its first try and subscribe, as a real contender would.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const released = performance.now();
    await held.release();
    const next = await waiting;
    latencies.push(performance.now() - released);
    // Swap sides so both directions are measured.
    held = next;
    await held.release();
    held = await holderSide.acquire('bench', { ttl: '30s' });
  }
  await held.release();
  await Promise.all([holderSide.close(), waiterSide.close()]);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2);
  console.log(
    `${name}: ${rounds} hand-offs, release -> next holder: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`,
  );
}

const server = await startRedis();
const cluster = await startCluster();
try {
  await measure('standalone (ioredis)', [await connectIoredis(server.url), await connectIoredis(server.url)]);
  await measure('cluster (ioredis)', [
    await connectIoredisCluster(cluster),
    await connectIoredisCluster(cluster),
  ]);
} finally {
  await closeAllClients();
  await Promise.all([server.stop(), cluster.stop()]);
}
