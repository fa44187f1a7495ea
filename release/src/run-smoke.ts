import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from './pack-packages';
import { type SmokeFormat, type SmokeOptions, smokeSource } from './smoke-source';

const run = promisify(execFile);

/** What a smoke file printed: each entry's number of exports and each framework's two statuses. */
export interface SmokeResult {
  entries: Record<string, number>;
  express?: number[];
  fastify?: number[];
}

/**
 * The compiler options of a TypeScript app that still emits CommonJS (NestJS and older apps):
 * `module: commonjs` resolves packages as node10 does, where only `typesVersions` maps a subpath.
 * Library types are checked too, so an error in a shipped `.d.ts` fails the check.
 */
const commonjsTsconfig = {
  compilerOptions: {
    module: 'commonjs',
    target: 'es2022',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
  },
  files: ['smoke-ts.ts'],
};

/**
 * Compiles `smoke-ts.ts` in the consumer with the repository's tsc and `module: commonjs`; rejects
 * with tsc's diagnostics when it does not compile.
 */
export async function compileCommonjs(consumer: string, source: string): Promise<void> {
  writeFileSync(join(consumer, 'smoke-ts.ts'), source);
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(commonjsTsconfig, null, 2));
  const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer, timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc (module commonjs) failed in ${consumer}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Writes the smoke file of `format` into the consumer, compiles it if TypeScript, runs it against `redisUrl`. */
export async function runSmoke(
  consumer: string,
  format: SmokeFormat,
  options: SmokeOptions,
  redisUrl: string,
): Promise<SmokeResult> {
  const source = smokeSource(format, options);
  let file: string;
  if (format === 'ts-commonjs') {
    await compileCommonjs(consumer, source);
    file = join('out', 'smoke-ts.js');
  } else {
    file = format === 'esm' ? 'smoke.mjs' : 'smoke.cjs';
    writeFileSync(join(consumer, file), source);
  }
  try {
    const { stdout } = await run(process.execPath, [file], {
      cwd: consumer,
      env: { ...process.env, REDIS_URL: redisUrl },
      timeout: 30_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as SmokeResult;
  } catch (error) {
    const { stdout, stderr, killed } = error as { stdout?: string; stderr?: string; killed?: boolean };
    const why = killed ? 'did not exit within 30 s' : 'failed';
    throw new Error(`${format} smoke ${why} in ${consumer}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
