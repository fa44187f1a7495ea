import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Address } from './redis-command';

const running = new Set<ChildProcess>();

/** SIGKILLs every worker still running, so a failed test leaves no process behind. */
export async function killWorkers(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}

/** A test worker process (`spawnWorker`). */
export interface Worker {
  child: ChildProcess;
  /** Resolves with the first line the worker prints, parsed as JSON. */
  firstLine: Promise<unknown>;
  /** Resolves with the exit code once it exits. */
  exited: Promise<number | null>;
}

/**
 * Runs `<packageDir>/test/workers/<name>.ts` in its own Node process through tsx, which resolves
 * the workspace's tsconfig paths, so workers import the packages from source like the tests. The
 * worker reads its Redis from `RW_TARGET` (JSON: `cluster` and `nodes`).
 */
export function spawnWorker(
  packageDir: string,
  name: string,
  target: { cluster: boolean; nodes: Address[] },
  env: Record<string, string>,
): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(packageDir, 'test', 'workers', `${name}.ts`)],
    {
      cwd: packageDir,
      env: { ...process.env, ...env, RW_TARGET: JSON.stringify(target) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<unknown>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const end = stdout.indexOf('\n');
      if (end !== -1) resolve(JSON.parse(stdout.slice(0, end)));
    });
    void exited.then((code) =>
      reject(new Error(`worker ${name} exited with ${code} before reporting:\n${stderr}`)),
    );
  });
  firstLine.catch(() => {});
  return { child, firstLine, exited };
}
