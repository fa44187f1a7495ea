import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceTree } from '@rediware/testing';

const src = join(__dirname, '../src');

const { files, importsOf, localImports, cycles } = sourceTree(src);
/** The framework adapters and the Express-only helpers they alone use. */
const adapters = files.filter((file) => /^(express|fastify)(-[a-z-]+)?\.ts$/.test(file));

describe('rate-limit layering', () => {
  it.each(files.filter((file) => !adapters.includes(file)))(
    '%s (engine) imports no framework and no adapter',
    (file) => {
      for (const { specifier } of importsOf(file))
        expect(specifier).not.toMatch(/^(express|fastify|fastify-plugin|@fastify\/)/);
      for (const target of localImports(file)) expect(adapters).not.toContain(target);
    },
  );

  it.each(files)('%s imports no Redis client at run time', (file) => {
    for (const { typeOnly, specifier } of importsOf(file))
      if (!typeOnly) expect(specifier).not.toMatch(/^(redis|ioredis|@redis\/)/);
  });

  it.each(adapters)('%s (adapter) holds no script and no Redis command', (file) => {
    const source = readFileSync(join(src, file), 'utf8');
    expect(source).not.toMatch(/defineScript|redis\.call|-script'/);
  });

  it('has no import cycle, type imports included', () => {
    const graph = new Map(files.map((file) => [file, localImports(file)]));
    for (const targets of graph.values()) for (const target of targets) expect(files).toContain(target);
    expect(cycles()).toEqual([]);
  });

  it('never sends KEYS', () => {
    for (const file of files) expect(readFileSync(join(src, file), 'utf8')).not.toMatch(/['"]KEYS['"]/);
  });
});
