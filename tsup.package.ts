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
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  });
}
