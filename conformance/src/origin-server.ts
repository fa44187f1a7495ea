import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pickFreePort } from '@rediware/testing';

export const suiteDir = dirname(createRequire(import.meta.url).resolve('http-cache-tests/package.json'));

export interface OriginServer {
  url: URL;
  stop(): void;
}

/** The suite's own origin server (server/server.mjs), configured as `npm run server` would. */
export async function startOrigin(pidfile: string): Promise<OriginServer> {
  const port = await pickFreePort();
  const child: ChildProcess = spawn(process.execPath, [join(suiteDir, 'server/server.mjs')], {
    cwd: suiteDir,
    env: {
      ...process.env,
      npm_config_protocol: 'http',
      npm_config_port: String(port),
      npm_config_pidfile: pidfile,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the suite's origin server exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Listening on')) resolve();
    });
  });
  return { url: new URL(`http://127.0.0.1:${port}`), stop: () => void child.kill() };
}
