import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withBuildLock } from './build-lock';

/**
 * The repository's root, where `packages/` lives: the folder of pnpm-workspace.yaml above the
 * working directory (found from there, not from this file, as it runs both under Jest's CommonJS
 * and as an ES module under tsx, which have no common way to name their own folder).
 */
export const repositoryRoot = findWorkspaceRoot(process.cwd());

function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
  }
}

export interface PackedPackage {
  /** The npm name, `@rediware/lock`. */
  name: string;
  /** The package's folder in the workspace. */
  dir: string;
  /** The `.tgz` that `pnpm pack` wrote. */
  tarball: string;
}

/** Every package that is published (not `private`), in `packages/`. */
export function publicPackages(): { name: string; dir: string }[] {
  const root = join(repositoryRoot, 'packages');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(root, entry.name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        private?: boolean;
      };
      return { name: manifest.name, dir, isPrivate: manifest.private === true };
    })
    .filter((entry) => !entry.isPrivate)
    .map(({ name, dir }) => ({ name, dir }));
}

/**
 * Packs each public package into `destination` as `pnpm pack` does for a release (workspace:
 * ranges rewritten to versions). A package's `prepack` builds it; a package that has a `dist`
 * already is packed as built (a test run must not rebuild what `pnpm build` just made), so a fresh
 * clone needs no `pnpm build` before its tests. `build` runs every `prepack`, as a release does.
 */
export function packPackages(destination: string, { build = false } = {}): PackedPackage[] {
  return publicPackages().map(({ name, dir }) => {
    const pack = (asBuilt: boolean) =>
      execFileSync(
        'pnpm',
        ['pack', '--pack-destination', destination, ...(asBuilt ? ['--config.ignore-scripts=true'] : [])],
        { cwd: dir, encoding: 'utf8' },
      );
    // Only one process builds a package at a time; one that waited finds it built.
    const printed =
      !build && existsSync(join(dir, 'dist'))
        ? pack(true)
        : withBuildLock(name, () => pack(!build && existsSync(join(dir, 'dist'))));
    const tarball = printed.trim().split('\n').pop() ?? '';
    if (!tarball.endsWith('.tgz')) throw new Error(`pnpm pack of ${name} printed no tarball:\n${printed}`);
    return { name, dir, tarball };
  });
}

/**
 * Every peer dependency of the packages (frameworks, clients, express-session, prom-client...), at
 * the range the workspace tests it with (its devDependency), so every entry can load.
 */
export function testedPeers(packed: PackedPackage[]): Record<string, string> {
  const peers: Record<string, string> = {};
  for (const { dir } of packed) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {}))
      peers[name] ??= manifest.devDependencies?.[name] ?? range;
  }
  return peers;
}
