import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WorkerConfig } from './app-process';

export type Framework = 'express' | 'fastify';

export interface AppWorker {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts test/express-app.ts or test/fastify-app.ts in its own Node process (with tsx) and
 * resolves once it listens.
 */
export async function startAppWorker(framework: Framework, config: WorkerConfig): Promise<AppWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, `${framework}-app.ts`)], {
    env: { ...process.env, RW_WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${framework} worker did not start: ${stderr}`)), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${framework} worker exited with ${code}: ${stderr}`));
    });
  });
  return { url, close: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
