/**
 * `pnpm release:check`: the packages as npm would publish them. Builds and packs every public
 * package, lints each tarball (publint strict, attw on node10, node16 and bundler), prints its
 * size and checks it against the `Size:` of its README (within 10 %), then installs the tarballs into throwaway projects outside the workspace and runs a smoke
 * test there in ESM, CommonJS and TypeScript with `module: commonjs`, and once per README Install
 * line with only what that line installs; every ```ts block of the READMEs, the migration guides and docs/cache is compiled (NodeNext)
 * against the tarballs and every ```ts quickstart block also run against redis-server and sent the
 * requests of quickstart-requests.ts (a failure is a warning unless `--strict-readmes`; ```ts
 * fragment is not compiled). `--built` packs the current `dist` instead of building.
 * Needs redis-server on PATH and the npm registry (or pnpm's store).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startRedis } from '@rediware/testing';
import { checkQuickStarts } from './check-quickstarts';
import { checkTarball } from './check-tarball';
import { compileCommonJsQuickStarts, emittedCommonJs } from './commonjs-quickstarts';
import { installConsumerAsync } from './install-consumer';
import { installLineFor, installLines, testedRange } from './install-lines';
import { packPackages, repositoryRoot, testedPeers } from './pack-packages';
import { quickStartRequests } from './quickstart-requests';
import { compileReadmeBlocks, documentedFiles, emittedBlock, readmeBlocks } from './readme-blocks';
import { sizeDrift, statedSize } from './readme-sizes';
import { runSmoke, type SmokeResult } from './run-smoke';
import type { SmokeFormat } from './smoke-source';

const failures: string[] = [];
const warnings: string[] = [];
const temporary: string[] = [];
const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The entries loaded and each framework answered 200 then 429; otherwise a failure is recorded. */
function expectSmoke(label: string, result: SmokeResult, entries: string[], frameworks: string[]): void {
  const missing = entries.filter((entry) => !((result.entries[entry] ?? 0) > 0));
  if (missing.length > 0) failures.push(`${label}: no exports from ${missing.join(', ')}`);
  for (const framework of frameworks) {
    const statuses = result[framework as 'express' | 'fastify'];
    if (statuses?.join() !== '200,429')
      failures.push(`${label}: ${framework} answered ${statuses?.join()}, not 200,429`);
  }
  if (!failures.some((failure) => failure.startsWith(`${label}:`))) console.log(`  ok  ${label}`);
}

async function attempt(label: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    console.log(`  FAIL ${label}`);
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const packDir = mkdtempSync(join(tmpdir(), 'rediware-release-'));
  temporary.push(packDir);
  const build = !process.argv.includes('--built');
  console.log(build ? 'Building and packing...' : 'Packing the current builds...');
  const packed = packPackages(packDir, { build });

  console.log('\nTarballs (publint --strict, attw on node10, node16 CJS/ESM, bundler):');
  for (const report of await Promise.all(packed.map(checkTarball))) {
    const publint = report.publint.length === 0 ? 'ok' : `${report.publint.length} problem(s)`;
    const attw = report.attw === '' ? 'ok' : 'problems';
    console.log(
      `  ${report.name.padEnd(22)} ${kB(report.packedBytes).padStart(9)} packed ${kB(report.unpackedBytes).padStart(9)} unpacked ${String(report.files).padStart(3)} files   publint ${publint}   attw ${attw}`,
    );
    for (const message of report.publint) failures.push(`${report.name} publint: ${message}`);
    if (report.attw !== '') failures.push(`${report.name} attw:\n${report.attw}`);
    const dir = packed.find(({ name }) => name === report.name)?.dir ?? '';
    const drift = sizeDrift(statedSize(join(dir, 'README.md')), report.packedBytes, report.unpackedBytes);
    if (drift) failures.push(`${report.name} README ${drift}`);
  }

  const redis = await startRedis();
  try {
    console.log(
      '\nEvery package in one consumer, every entry, the rate-limit quick start on both frameworks:',
    );
    const rootManifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    // What a TypeScript app has besides the peers: types, and @fastify/session's own companion.
    const typeScriptUser = {
      '@fastify/cookie': testedRange(packed, '@fastify/cookie'),
      '@types/node': rootManifest.devDependencies['@types/node'] ?? 'latest',
      '@types/express': testedRange(packed, '@types/express'),
      '@types/express-session': testedRange(packed, '@types/express-session'),
    };
    const all = await installConsumerAsync(packed, { ...testedPeers(packed), ...typeScriptUser });
    temporary.push(all);
    const entries = packed.flatMap(({ name, dir }) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        exports: Record<string, unknown>;
      };
      return Object.keys(manifest.exports)
        .filter((subpath) => !subpath.endsWith('.json'))
        .map((subpath) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`));
    });
    const frameworks: ('express' | 'fastify')[] = ['express', 'fastify'];
    for (const format of ['esm', 'cjs', 'ts-commonjs'] as SmokeFormat[]) {
      const label = `${format}: ${entries.length} entries, express + fastify`;
      await attempt(label, async () =>
        expectSmoke(
          label,
          await runSmoke(all, format, { entries, frameworks }, redis.url),
          entries,
          frameworks,
        ),
      );
    }

    console.log(
      '\nEvery ```ts block of the READMEs, migration guides and docs/cache, compiled as an ES module (NodeNext) against the tarballs:',
    );
    const blocks = readmeBlocks(documentedFiles());
    const compileStarted = Date.now();
    const broken = await compileReadmeBlocks(all, blocks);
    // A README block that does not compile or a quick start that does not answer as expected fails
    // the check with --strict-readmes (CI), and is a warning otherwise.
    const strictReadmes = process.argv.includes('--strict-readmes');
    const readmeProblem = (report: string) => (strictReadmes ? failures : warnings).push(report);
    for (const { where, errors } of broken)
      readmeProblem(`${where} does not compile:\n    ${errors.join('\n    ')}`);
    console.log(
      `  ${blocks.length - broken.length} of ${blocks.length} compile${broken.length > 0 ? `; not: ${broken.map(({ where }) => where).join(', ')}` : ''} (${elapsed(compileStarted)})`,
    );
    const commonJs = await compileCommonJsQuickStarts(all, blocks);
    if (commonJs !== '')
      readmeProblem(`the quick starts made CommonJS TypeScript apps do not compile:\n${commonJs}`);
    else
      console.log('  every quick start also compiles as a CommonJS TypeScript app (module commonjs, node10)');

    console.log('\nEach README Install line, installed alone:');
    const lineConsumers = new Map<(typeof installLines)[number], string>();
    // Three installs at a time: enough to overlap pnpm's network waits on a 2-core machine.
    for (let start = 0; start < installLines.length; start += 3) {
      await Promise.all(
        installLines.slice(start, start + 3).map(async (line) => {
          const label = `npm i ${line.install.join(' ')}`;
          await attempt(label, async () => {
            const registry = line.install.filter((name) => !name.startsWith('@rediware/'));
            const consumer = await installConsumerAsync(
              packed,
              Object.fromEntries(registry.map((name) => [name, testedRange(packed, name)])),
              line.install.filter((name) => name.startsWith('@rediware/')),
            );
            temporary.push(consumer);
            lineConsumers.set(line, consumer);
            const frameworks: ('express' | 'fastify')[] = line.fastifySmoke ? ['fastify'] : [];
            for (const format of ['esm', 'cjs'] as const) {
              const result = await runSmoke(
                consumer,
                format,
                { entries: line.entries, frameworks },
                redis.url,
              );
              expectSmoke(`${label} (${format})`, result, line.entries, frameworks);
            }
          });
        }),
      );
    }

    console.log(
      "\nEvery ```ts quickstart block, run from the tarballs with only its README's Install line installed, against redis-server, sent requests:",
    );
    const runStarted = Date.now();
    const nameOf = new Map(
      packed.map(({ name, dir }) => [relative(repositoryRoot, join(dir, 'README.md')), name]),
    );
    const answered = await checkQuickStarts({
      blocks,
      emitted: (index) => emittedBlock(all, index),
      emittedCommonJs: (index) => emittedCommonJs(all, index),
      installedFor: (readme, framework) => {
        const line = installLineFor(nameOf.get(readme), framework);
        return line && lineConsumers.get(line);
      },
      redisUrl: redis.url,
      problem: readmeProblem,
    });
    console.log(
      `  ${answered} of ${Object.keys(quickStartRequests).length * 2} quick start runs (ESM and CommonJS) answered as expected (${elapsed(runStarted)})`,
    );
  } finally {
    await redis.stop();
    if (!process.argv.includes('--keep'))
      for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  }

  const seconds = Math.round((Date.now() - started) / 1000);
  if (warnings.length > 0)
    console.log(`\nWarnings (not failures):\n${warnings.map((warning) => `- ${warning}`).join('\n')}`);
  if (failures.length > 0) {
    console.error(
      `\nrelease:check FAILED in ${seconds} s:\n${failures.map((failure) => `- ${failure}`).join('\n')}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`\nrelease:check passed in ${seconds} s`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
