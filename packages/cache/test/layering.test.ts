import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const src = join(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [relative(src, join(dir, entry.name))]
        : [],
  );
}

interface Import {
  readonly typeOnly: boolean;
  readonly specifier: string;
}

/** Every `import ... from` and `export ... from` of `file`, type-only ones included. */
function importsOf(file: string): Import[] {
  const source = readFileSync(join(src, file), 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((m) => ({
    typeOnly: Boolean(m[1]),
    specifier: m[2] as string,
  }));
}

/** The package files `file` imports, as paths under src (`engine/cache.ts`). */
function localImports(file: string): string[] {
  return importsOf(file)
    .map(({ specifier }) => specifier)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => `${relative(src, resolve(src, dirname(file), specifier))}.ts`);
}

const files = sourceFiles(src);
const adapters = ['express.ts', 'fastify.ts'];

describe('cache layering', () => {
  it('sorts the package into the engine, write-behind and the response cache', () => {
    for (const file of files)
      expect(file).toMatch(/^(index\.ts|express\.ts|fastify\.ts|engine\/.+|write-behind\/.+|http\/.+)$/);
  });

  it.each(files.filter((file) => /^(engine|write-behind)\//.test(file)))(
    '%s (data cache) never imports the response cache nor a framework',
    (file) => {
      for (const target of localImports(file)) {
        expect(target).not.toMatch(/^http\//);
        expect(adapters).not.toContain(target);
      }
      for (const { specifier } of importsOf(file))
        expect(specifier).not.toMatch(/^(express|fastify|fastify-plugin|@fastify\/)/);
    },
  );

  it.each(files.filter((file) => file.startsWith('http/') && file !== 'http/engine-port.ts'))(
    '%s (response cache) reaches the engine only through http/engine-port.ts',
    (file) => {
      for (const target of localImports(file)) expect(target).not.toMatch(/^(engine|write-behind)\//);
    },
  );

  it.each(files)('%s imports no Redis client at run time', (file) => {
    for (const { typeOnly, specifier } of importsOf(file))
      if (!typeOnly) expect(specifier).not.toMatch(/^(redis|ioredis|@redis\/)/);
  });

  it.each(adapters)('%s (adapter) holds no script and no Redis command', (file) => {
    const source = readFileSync(join(src, file), 'utf8');
    expect(source).not.toMatch(/defineScript|redis\.call|-script'/);
    for (const target of localImports(file)) expect(target).not.toMatch(/^(engine|write-behind)\//);
  });

  it('has no import cycle, type imports included', () => {
    const graph = new Map(files.map((file) => [file, localImports(file)]));
    for (const targets of graph.values()) for (const target of targets) expect(files).toContain(target);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('never sends KEYS', () => {
    for (const file of files) expect(readFileSync(join(src, file), 'utf8')).not.toMatch(/['"]KEYS['"]/);
  });
});
