// Tightly alternated loads of a few servers: `pnpm --filter @rediware/bench pair <path> <server-id>...
// [--rounds 12] [--duration 1.5]`. Starts its own redis-server and every server at once, warms
// each for 1 s, then loads them one after another for `duration` seconds, `rounds` times. Each
// pair of rows is then measured seconds apart, where a full run's table runs its rows minutes
// apart on a machine whose speed drifts in between. Prints, per server, the median req/s and
// server CPU µs per request, and the round-by-round medians of its req/s over the first
// server's and of its CPU µs per request minus the first server's.
import { startRedis } from '@rediware/testing';
import { load } from './runner/load';
import { type ServerProcess, startServer } from './runner/server-process';
import { median } from './runner/statistics';

const connections = 50;
const warmupSeconds = 1;

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!(value > 0)) throw new Error(`--${name} takes a positive number`);
  return value;
}

function positional(): string[] {
  const args = process.argv.slice(2);
  return args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
}

interface Sample {
  reqPerSec: number;
  cpuPerRequest: number;
}

async function measure(server: ServerProcess, url: string, duration: number): Promise<Sample> {
  const before = await server.cpuMicros();
  const sample = await load({ url, connections, duration });
  const cpu = (await server.cpuMicros()) - before;
  return { reqPerSec: sample.reqPerSec, cpuPerRequest: cpu / Math.max(1, sample.requests) };
}

async function main(): Promise<void> {
  const [path, ...serverIds] = positional();
  if (path === undefined || !path.startsWith('/') || serverIds.length < 2) {
    throw new Error('usage: pair <path> <server-id> <server-id>... [--rounds 12] [--duration 1.5]');
  }
  const rounds = flag('rounds', 12);
  const duration = flag('duration', 1.5);
  const redis = await startRedis();
  const servers: ServerProcess[] = [];
  try {
    for (const id of serverIds) servers.push(await startServer(id, redis.url));
    for (const server of servers) {
      await load({ url: `${server.url}${path}`, connections, duration: warmupSeconds });
    }
    const samples = servers.map((): Sample[] => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) {
        samples[i]?.push(await measure(server, `${server.url}${path}`, duration));
      }
    }
    const first = samples[0] as Sample[];
    for (const [i, server] of servers.entries()) {
      const own = samples[i] as Sample[];
      const ratios = own.map((sample, round) => sample.reqPerSec / (first[round] as Sample).reqPerSec);
      const extra = own.map((sample, round) => sample.cpuPerRequest - (first[round] as Sample).cpuPerRequest);
      console.log(
        `${server.serverId}: ${Math.round(median(own.map((s) => s.reqPerSec)))} req/s, ` +
          `${median(own.map((s) => s.cpuPerRequest)).toFixed(1)} CPU µs/req; ` +
          `× first ${median(ratios).toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')}), ` +
          `CPU µs/req − first ${median(extra).toFixed(1)}`,
      );
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
