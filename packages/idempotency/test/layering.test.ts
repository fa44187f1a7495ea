import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceTree } from '@rediware/testing';

const src = join(__dirname, '../src');
const files = readdirSync(src).filter((name) => name.endsWith('.ts'));
const importsOf = (file: string): string[] =>
  [...readFileSync(join(src, file), 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map(
    (m) => m[1] as string,
  );

describe('idempotency layering', () => {
  it.each(files.filter((file) => file !== 'express.ts' && file !== 'fastify.ts'))(
    '%s (engine) imports no framework and no Redis client',
    (file) => {
      for (const specifier of importsOf(file)) {
        expect(specifier).not.toMatch(/^(express|fastify|fastify-plugin|redis|ioredis)$/);
        expect(specifier).not.toMatch(/^\.\/(express|fastify)$/);
      }
    },
  );

  it.each(['express.ts', 'fastify.ts'])('%s (adapter) holds no script and no Redis command', (file) => {
    const source = readFileSync(join(src, file), 'utf8');
    expect(source).not.toMatch(/defineScript|redis\.call|backend\.|-script'/);
    expect(importsOf(file)).not.toContain('@rediware/core');
  });

  it('has no import cycle, type imports included', () => {
    const tree = sourceTree(src);
    for (const file of tree.files)
      for (const target of tree.localImports(file)) expect(tree.files).toContain(target);
    expect(tree.cycles()).toEqual([]);
  });
});
