// A child process that serves one configuration: `node --import tsx server-main.ts <server-id>`,
// forked by the runner with an IPC channel. It builds the server, listens on a free loopback
// port, reports `{ port }`, answers `'cpu'` with `{ cpu: µs }` (its own CPU time so far, so the
// runner can tell what a load cost this process) and exits when the runner disconnects or sends SIGTERM.
import type { AddressInfo } from 'node:net';
import { listenServer } from './servers/listen-server';
import { serverFactories } from './servers/registry';

const serverId = process.argv[2] ?? '';
const redisUrl = process.env.BENCH_REDIS_URL ?? '';
const host = process.env.BENCH_LISTEN_HOST ?? '127.0.0.1';

async function main(): Promise<void> {
  const load = serverFactories[serverId];
  if (!load) throw new Error(`unknown server id: ${serverId}`);
  if (!redisUrl) throw new Error('BENCH_REDIS_URL is not set');
  const built = await (await load())({ redisUrl });
  const port = ((await listenServer(built, host)).address() as AddressInfo).port;
  const stop = (): void => {
    // The runner is done with this server; nothing here is worth a graceful close.
    void built.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.on('message', (message) => {
    if (message !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  });
  process.send?.({ port });
}

main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
