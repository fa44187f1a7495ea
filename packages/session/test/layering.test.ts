import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sourceTree } from '@rediware/testing';

const src = join(__dirname, '../src');

function importsOf(file: string): Array<{ specifier: string; typeOnly: boolean }> {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((match) => ({
    typeOnly: match[1] !== undefined,
    specifier: match[2] as string,
  }));
}

/** Every module `entry` loads at run time, following relative imports. */
function runtimeGraph(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const { specifier, typeOnly } of importsOf(entry)) {
    if (typeOnly) continue;
    if (specifier.startsWith('.')) runtimeGraph(`${resolve(dirname(entry), specifier)}.ts`, seen);
    else seen.add(specifier);
  }
  return seen;
}

describe('session layering', () => {
  const files = readdirSync(src).filter((name) => name.endsWith('.ts'));

  it('the engine and index import no framework', () => {
    for (const module of runtimeGraph(join(src, 'index.ts'))) {
      expect(module).not.toMatch(/^(express|fastify|express-session|@fastify\/|redis|ioredis)/);
    }
  });

  it('the fastify store never loads express-session (nor express)', () => {
    const graph = [...runtimeGraph(join(src, 'fastify.ts'))];
    expect(graph.filter((module) => /express/.test(module))).toEqual([]);
  });

  it('only express.ts imports express-session', () => {
    for (const file of files.filter((name) => name !== 'express.ts')) {
      expect(importsOf(join(src, file)).map((entry) => entry.specifier)).not.toContain('express-session');
    }
  });

  it('adapters hold no Redis command or script, and nothing sends KEYS', () => {
    for (const adapter of ['express.ts', 'fastify.ts']) {
      expect(readFileSync(join(src, adapter), 'utf8')).not.toMatch(/defineScript|redis\.call|\.run\(/);
    }
    for (const file of files) expect(readFileSync(join(src, file), 'utf8')).not.toMatch(/['"]KEYS['"]/);
  });

  it('has no import cycle, type imports included', () => {
    const tree = sourceTree(src);
    for (const file of tree.files)
      for (const target of tree.localImports(file)) expect(tree.files).toContain(target);
    expect(tree.cycles()).toEqual([]);
  });
});
