import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Address } from '@rediware/testing';

const proxyMain = fileURLToPath(new URL('../delay-proxy-main.ts', import.meta.url));
const replyTimeoutMs = 30_000;

/** The delay proxy in its own process (delay-proxy-main.ts). */
export interface ProxyProcess extends Address {
  /** redis://127.0.0.1:PORT: Redis a hop away. */
  readonly url: string;
  /** Sets the round trip the proxy adds, in ms; resolves once the proxy applies it. */
  setRtt(ms: number): Promise<void>;
  stop(): Promise<void>;
}

function reply<T>(
  child: ChildProcess,
  accept: (message: Record<string, unknown>) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`delay proxy: no answer after ${replyTimeoutMs} ms`));
    }, replyTimeoutMs);
    const onMessage = (message: Record<string, unknown>): void => {
      if (typeof message.error === 'string') {
        clearTimeout(timer);
        reject(new Error(`delay proxy failed: ${message.error}`));
        return;
      }
      const value = accept(message);
      if (value === undefined) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    };
    child.on('message', onMessage);
  });
}

/** Forks the delay proxy in front of `target` and waits for its port. */
export async function startProxyProcess(target: Address): Promise<ProxyProcess> {
  const child = fork(proxyMain, [target.host, String(target.port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A crashed or interrupted runner must not leave the proxy behind.
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  try {
    const port = await reply(child, (message) =>
      typeof message.port === 'number' ? message.port : undefined,
    );
    return {
      host: '127.0.0.1',
      port,
      url: `redis://127.0.0.1:${port}`,
      async setRtt(ms) {
        const applied = reply(child, (message) =>
          typeof message.rttMs === 'number' ? message.rttMs : undefined,
        );
        child.send({ rttMs: ms });
        await applied;
      },
      async stop() {
        process.off('exit', kill);
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    kill();
    throw error;
  }
}
