import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ShopProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs the demo's own entry point (src/main.ts) in a Node process of its own: @fastify/cookie
 * loads `cookie` with a dynamic import(), which jest's module sandbox cannot run.
 */
export async function startShopProcess(env: Record<string, string>): Promise<ShopProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../src/main.ts')], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the shop did not start: ${output}`)), 20_000);
    lines.on('line', (line) => {
      output += `${line}\n`;
      const listening = /listening on (\S+?)\/? /.exec(line);
      if (!listening?.[1]) return;
      clearTimeout(timer);
      resolve(listening[1]);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the shop exited with ${code}: ${output}`));
    });
  });
  return { url, close: () => stop(child) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
