import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';

/** The build of every publishable package: ESM + CJS with types per condition, one entry per subpath. */
export function packageBuild(packageDir: string) {
  const entries = ['index', 'express', 'fastify', 'prometheus', 'opentelemetry'].filter((name) =>
    existsSync(join(packageDir, 'src', `${name}.ts`)),
  );
  return defineConfig({
    entry: entries.map((name) => `src/${name}.ts`),
    format: ['esm', 'cjs'],
    // Code shared by several entries goes to one chunk in both formats: without it each CJS entry
    // had its own copy of every class, so `instanceof` failed across `require('@rediware/lock')` and
    // `require('@rediware/lock/express')`.
    splitting: true,
    dts: true,
    clean: true,
    // No source maps: they were 55-66 % of each tarball and pointed at sources the tarball does not
    // ship. The output is not minified, so a stack trace already names readable lines.
    target: 'node20',
  });
}
