import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackedPackage } from './pack-packages';

/**
 * Makes a project in the system's temp folder (outside the workspace, so nothing resolves to the
 * sources) that depends on the given tarballs and registry packages, and installs it. Every
 * @rediware package resolves to its tarball, also where one tarball depends on another. Registry
 * packages come from pnpm's store when it has them.
 */
export function installConsumer(
  packed: PackedPackage[],
  registryDependencies: Record<string, string>,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'rediware-consumer-'));
  const tarballs = Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${tarball}`]));
  const manifest = {
    name: 'rediware-consumer',
    private: true,
    dependencies: { ...tarballs, ...registryDependencies },
    pnpm: { overrides: tarballs },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  execFileSync(
    'pnpm',
    ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'],
    {
      cwd: dir,
      stdio: 'pipe',
    },
  );
  return dir;
}
