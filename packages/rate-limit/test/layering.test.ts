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

/** Every `import ... from` and `export ... from` of `file`, type-only ones included. */
function importsOf(file: string): Array<{ typeOnly: boolean; specifier: string }> {
  const source = readFileSync(join(src, file), 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((m) => ({
    typeOnly: Boolean(m[1]),
    specifier: m[2] as string,
  }));
}

/** The package files `file` imports, as paths under src (`algorithms/policy.ts`). */
function localImports(file: string): string[] {
  return importsOf(file)
    .map(({ specifier }) => specifier)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => `${relative(src, resolve(src, dirname(file), specifier))}.ts`);
}

const files = sourceFiles(src);
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
