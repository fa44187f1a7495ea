// A child process that runs the delay proxy in front of a Redis: `node --import tsx
// delay-proxy-main.ts <host> <port>`, forked by the runner with an IPC channel. In its own process
// the proxy's flush loop is not held up by the load generator. It reports `{ port }`, answers
// `{ rttMs }` by setting the delay and echoing it, and exits when the runner disconnects.
import { startDelayProxy } from './runner/delay-proxy';

async function main(): Promise<void> {
  const [host = '127.0.0.1', port = ''] = process.argv.slice(2);
  const proxy = await startDelayProxy({ host, port: Number(port) });
  process.on('message', (message: { rttMs?: number }) => {
    if (typeof message.rttMs !== 'number') return;
    proxy.rttMs = message.rttMs;
    process.send?.({ rttMs: proxy.rttMs });
  });
  const stop = (): void => void proxy.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ port: proxy.port });
}

main().catch((error: unknown) => {
  process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
