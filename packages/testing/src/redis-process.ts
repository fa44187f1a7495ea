import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { cleanUpOnExit, parentDeathPrefix } from './orphan-guard';

export interface RedisProcess {
  readonly pid: number | undefined;
  /** The last 16 KiB of stdout and stderr, for error messages. */
  output(): string;
  running(): boolean;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  exitStatus(): string;
  /** Sends `signal` and waits for the exit. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

const outputLimit = 16_384;

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    // 'close' waits for stdio to drain, which keeps the last log lines; but a forked child of redis
    // (e.g. a replication sync) can hold the pipes open, so don't wait for them for long after 'exit'.
    child.once('close', () => resolve());
    child.once('error', () => resolve());
    child.once('exit', () => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve();
      }, 1_000).unref();
    });
  });
}

/** Starts `redis-server args` tied to this process's lifetime (see orphan-guard). */
export function launchRedisProcess(executable: string, args: string[]): RedisProcess {
  const [command = executable, ...prefixArgs] = [...parentDeathPrefix(), executable];
  const child = spawn(command, [...prefixArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-outputLimit);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // A server that a failing test never stopped must not keep jest from exiting: the exit cleanup
  // kills it then.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
  const { pid } = child;
  const forget = pid === undefined ? () => {} : cleanUpOnExit(() => process.kill(pid, 'SIGKILL'));
  let running = true;
  const exited = waitForExit(child).then(() => {
    running = false;
    forget();
  });

  return {
    pid,
    output: () => output,
    running: () => running,
    exited,
    exitStatus: () => `code ${child.exitCode}, signal ${child.signalCode}`,
    signal: async (signal) => {
      // Hold the event loop while waiting, as the child itself is unref'd.
      child.ref();
      child.kill(signal);
      await exited;
    },
  };
}
