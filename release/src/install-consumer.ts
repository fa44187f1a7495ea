import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PackedPackage } from './pack-packages';

const pnpmInstall = [
  'install',
  '--prefer-offline',
  '--ignore-workspace',
  '--config.confirmModulesPurge=false',
];

/**
 * Writes a project in the system's temp folder (outside the workspace, so nothing resolves to the
 * sources) that depends on the given tarballs and registry packages. Every @rediware package
 * resolves to its tarball, also where one tarball depends on another; `only` names the @rediware
 * packages the project depends on itself (all of them by default), as a user who installs one.
 */
function writeConsumer(
  packed: PackedPackage[],
  registryDependencies: Record<string, string>,
  only?: string[],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'rediware-consumer-'));
  const tarballs = Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${tarball}`]));
  const direct = Object.fromEntries(
    Object.entries(tarballs).filter(([name]) => only?.includes(name) ?? true),
  );
  const manifest = {
    name: 'rediware-consumer',
    private: true,
    dependencies: { ...direct, ...registryDependencies },
    pnpm: { overrides: tarballs },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Makes and installs a consumer project (see writeConsumer). Registry packages come from pnpm's store when it has them. */
export function installConsumer(
  packed: PackedPackage[],
  registryDependencies: Record<string, string>,
  only?: string[],
): string {
  const dir = writeConsumer(packed, registryDependencies, only);
  execFileSync('pnpm', pnpmInstall, { cwd: dir, stdio: 'pipe' });
  return dir;
}

/** installConsumer without blocking, so several consumers install at once. */
export async function installConsumerAsync(
  packed: PackedPackage[],
  registryDependencies: Record<string, string>,
  only?: string[],
): Promise<string> {
  const dir = writeConsumer(packed, registryDependencies, only);
  await promisify(execFile)('pnpm', pnpmInstall, { cwd: dir, timeout: 300_000 });
  return dir;
}
