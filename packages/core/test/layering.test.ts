import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceTree } from '@rediware/testing';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('core layering', () => {
  const files = sourceFiles(join(__dirname, '../src'));

  it.each(files)('%s imports no framework and no Redis client at run time', (file) => {
    const source = readFileSync(file, 'utf8');
    const imports = [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)];
    for (const [, typeOnly, specifier] of imports) {
      expect(specifier).not.toMatch(/^(express|fastify|fastify-plugin|express-session|@fastify\/)/);
      if (!typeOnly) expect(specifier).not.toMatch(/^(redis|ioredis|@redis\/)/);
    }
  });

  it.each(files)('%s reaches an exporter library only from its own subpath file', (file) => {
    const source = readFileSync(file, 'utf8');
    const own = { 'prometheus.ts': /^prom-client$/, 'opentelemetry.ts': /^@opentelemetry\// };
    for (const [, , specifier] of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      for (const [name, pattern] of Object.entries(own)) {
        if (pattern.test(specifier as string)) expect(file.endsWith(`/src/${name}`)).toBe(true);
      }
    }
  });

  it('never sends KEYS', () => {
    for (const file of files) expect(readFileSync(file, 'utf8')).not.toMatch(/['"]KEYS['"]/);
  });

  it('has no import cycle, type imports included', () => {
    const tree = sourceTree(join(__dirname, '../src'));
    for (const file of tree.files)
      for (const target of tree.localImports(file)) expect(tree.files).toContain(target);
    expect(tree.cycles()).toEqual([]);
  });
});
