import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RedisServer, startRedis } from '@rediware/testing';
import { installConsumerAsync } from '../src/install-consumer';
import { nestAppSource, nestDependencies, nestTsconfig } from '../src/nestjs-app';
import { packPackages, repositoryRoot } from '../src/pack-packages';

const run = promisify(execFile);

// A NestJS 11 user installs the rate-limit tarball next to Nest and both platform adapters,
// compiles with Nest's own tsconfig (CommonJS, node10 resolution, no esModuleInterop) and starts
// the app: the limit answers on Express (app.use) and on Fastify (app.register).
let consumer: string;
let packDir: string;
let server: RedisServer;

beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'rediware-packs-'));
  const packed = packPackages(packDir);
  [consumer, server] = await Promise.all([
    installConsumerAsync(packed, nestDependencies, ['@rediware/rate-limit']),
    startRedis(),
  ]);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  for (const dir of [consumer, packDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function compile(): Promise<void> {
  mkdirSync(join(consumer, 'src'), { recursive: true });
  writeFileSync(join(consumer, 'src', 'main.ts'), nestAppSource);
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(nestTsconfig, null, 2));
  const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc failed in ${consumer}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

test('a NestJS 11 app (TypeScript, CommonJS) limits on the Express and the Fastify adapter: 200, then 429', async () => {
  await compile();
  const { stdout } = await run(process.execPath, [join('dist', 'main.js')], {
    cwd: consumer,
    env: { ...process.env, REDIS_URL: server.url },
    timeout: 30_000,
  });
  const statuses = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, number[]>;
  expect(statuses).toEqual({ express: [200, 429], fastify: [200, 429] });
}, 120_000);
