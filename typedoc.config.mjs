// The API reference (`pnpm docs:api`, into docs/api/): one module per public entry point, and any
// warning (an undocumented public name, a broken {@link}) fails the build.
import { readFileSync } from 'node:fs';

const packages = ['core', 'rate-limit', 'session', 'cache', 'lock', 'idempotency'];

/** Every subpath in a package's `exports` (`.` is src/index.ts, `./express` is src/express.ts). */
function entryPointsOf(folder) {
  const manifest = JSON.parse(
    readFileSync(new URL(`packages/${folder}/package.json`, import.meta.url), 'utf8'),
  );
  return Object.keys(manifest.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => `packages/${folder}/src/${subpath === '.' ? 'index' : subpath.slice(2)}.ts`);
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'rediware API reference',
  tsconfig: 'tsconfig.typedoc.json',
  // `pnpm typecheck` type-checks these sources already; checking them again here took 20 s.
  skipErrorChecking: true,
  entryPoints: packages.flatMap(entryPointsOf),
  out: 'docs/api',
  readme: 'none',
  plugin: ['./docs/const-data-plugin.mjs'],
  sourceLinkTemplate: 'https://github.com/rediware/rediware/blob/{gitRevision}/{path}#L{line}',
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  excludeExternals: true,
  treatWarningsAsErrors: true,
  validation: {
    notExported: true,
    invalidLink: true,
    invalidPath: true,
    rewrittenLink: true,
    notDocumented: true,
    unusedMergeModuleWith: true,
  },
  // Names from these packages must be documented (the default is only the root package).
  packagesRequiringDocumentation: packages.map((folder) => `@rediware/${folder}`),
};
