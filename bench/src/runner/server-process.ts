import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverMain = fileURLToPath(new URL('../server-main.ts', import.meta.url));
/**
 * Servers load the packages' built dist/ (what users run; `pnpm build` first), not src/ through
 * tsx, whose transform adds a name helper to every function it creates and would tax ours alone.
 */
export const serverTsconfig = fileURLToPath(new URL('../../tsconfig.servers.json', import.meta.url));
const startTimeoutMs = 60_000;
const stopTimeoutMs = 5_000;
/** A server answers a CPU reading at once unless it is stuck: then the run fails instead of hanging. */
const cpuReadingTimeoutMs = 5_000;

export interface ServerProcess {
  readonly serverId: string;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The server process's CPU time so far (user + system), in µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A crashed or interrupted runner must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function askCpu(child: ChildProcess, serverId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { cpu?: number }) => {
      if (typeof message.cpu !== 'number') return;
      child.off('message', onMessage);
      clearTimeout(timer);
      resolve(message.cpu);
    };
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`${serverId}: no CPU reading after ${cpuReadingTimeoutMs} ms`));
    }, cpuReadingTimeoutMs);
    child.on('message', onMessage);
    child.send('cpu');
  });
}

/**
 * Forks `process.execPath --import tsx server-main.ts <serverId>`, listening on `host`, and waits
 * for its port. It is loaded through 127.0.0.1 either way (a server on `::` takes IPv4 too).
 */
export async function startServer(
  serverId: string,
  redisUrl: string,
  host = '127.0.0.1',
): Promise<ServerProcess> {
  const child = fork(serverMain, [serverId], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_REDIS_URL: redisUrl,
      BENCH_LISTEN_HOST: host,
      NODE_ENV: 'production',
      TSX_TSCONFIG_PATH: serverTsconfig,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${serverId}: no port after ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.once('message', (message: { port?: number; error?: string }) => {
        clearTimeout(timer);
        if (message.port) resolve(message.port);
        else reject(new Error(`${serverId} failed to start: ${message.error ?? 'unknown error'}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${serverId} exited with code ${code} before listening`));
      });
    });
    return {
      serverId,
      url: `http://127.0.0.1:${port}`,
      cpuMicros: () => askCpu(child, serverId),
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
