// CPU profile of one server under load: `pnpm --filter @rediware/bench profile <server-id> [seconds] [path] [--gc] [--dual-stack]`.
// Starts its own redis-server, forks server-main.ts with --cpu-prof, loads GET <path> with
// autocannon (50 connections; session servers with a logged-in cookie), stops the server and prints the functions with the most self time.
// The .cpuprofile is left in bench/results/profiles/ for a flame graph (Chrome DevTools, speedscope).
// With --gc, the server also runs with --trace-gc-nvp, and what its scavenges kept alive and
// promoted during the measured load is printed (see gc-trace.ts). With --dual-stack, the server
// listens on `::` (it is still loaded through 127.0.0.1, and sees `::ffff:127.0.0.1`).
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { redisCommand, startRedis } from '@rediware/testing';
import { type GcSummary, summarizeGcTrace } from './runner/gc-trace';
import { load } from './runner/load';
import { serverTsconfig } from './runner/server-process';
import { loginCookie } from './runner/session-cookie';
import { serverFactories } from './servers/registry';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const traceGc = process.argv.includes('--gc');
const dualStack = process.argv.includes('--dual-stack');
const [serverId = '', seconds = '5', path = '/'] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'));
const profiles = fileURLToPath(new URL('../results/profiles/', import.meta.url));
const serverMain = fileURLToPath(new URL('./server-main.ts', import.meta.url));

async function main(): Promise<void> {
  if (!(serverId in serverFactories)) {
    throw new Error(
      `usage: profile <server-id> [seconds] [path]; server ids: ${Object.keys(serverFactories).join(', ')}`,
    );
  }
  mkdirSync(profiles, { recursive: true });
  const redis = await startRedis();
  const child = fork(serverMain, [serverId], {
    execArgv: [
      '--import',
      'tsx',
      '--cpu-prof',
      '--cpu-prof-dir',
      profiles,
      ...(traceGc ? ['--trace-gc-nvp'] : []),
    ],
    env: {
      ...process.env,
      BENCH_REDIS_URL: redis.url,
      BENCH_LISTEN_HOST: dualStack ? '::' : '127.0.0.1',
      NODE_ENV: 'production',
      TSX_TSCONFIG_PATH: serverTsconfig,
    },
    stdio: ['ignore', traceGc ? 'pipe' : 'inherit', 'inherit', 'ipc'],
  });
  // The trace lines of the measured load only; the server's other output is passed on.
  const gcLines: string[] = [];
  let measuring = false;
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!/\sgc=/.test(line)) console.log(line);
      else if (measuring) gcLines.push(line);
    });
  }
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const before = new Set(readdirSync(profiles));
  const url = `http://127.0.0.1:${port}${path}`;
  // Session servers are loaded with the cookie of a session logged in first, as in the bench.
  const headers = serverId.includes('-session-')
    ? { cookie: await loginCookie(`http://127.0.0.1:${port}`) }
    : {};
  await load({ url, connections: 50, duration: 1, headers });
  measuring = true;
  const sample = await load({ url, connections: 50, duration: Number(seconds), headers });
  measuring = false;
  console.log(`${serverId}: ${Math.round(sample.reqPerSec)} req/s, p50 ${sample.p50} ms`);
  if (traceGc) printGc(summarizeGcTrace(gcLines), sample.requests);
  const stats = String(await redisCommand(redis, ['INFO', 'commandstats']));
  for (const line of stats.split('\n').filter((row) => row.startsWith('cmdstat_'))) {
    const [name, calls, usec] = /^cmdstat_(\w+):calls=(\d+),usec=(\d+)/.exec(line)?.slice(1) ?? [];
    console.log(
      `redis ${name}: ${(Number(calls) / sample.requests).toFixed(2)}/req, ${(Number(usec) / sample.requests).toFixed(1)} µs/req`,
    );
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await redis.stop();
  const written = readdirSync(profiles).find((name) => !before.has(name));
  if (written === undefined) throw new Error('no profile written');
  summarize(join(profiles, written));
}

function printGc(gc: GcSummary, requests: number): void {
  const kb = (bytes: number) => `${Math.round(bytes / 1000)} kB`;
  console.log(
    `gc: ${gc.scavenges} scavenges (one per ${Math.round(requests / Math.max(1, gc.scavenges))} requests), ` +
      `${gc.scavengePauseMs.toFixed(2)} ms each, ${kb(gc.survivedBytes)} surviving and ${kb(gc.promotedBytes)} promoted per scavenge; ` +
      `${gc.fullCollections} full collections`,
  );
}

function summarize(file: string): void {
  const { nodes } = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const total = nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  for (const node of nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/[^/]+\//, '')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  console.log(`${file}\nself time, top 40 of ${total} samples:`);
  for (const [name, hits] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
