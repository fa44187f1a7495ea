import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One `import ... from` or `export ... from` of a source file. */
export interface SourceImport {
  readonly typeOnly: boolean;
  readonly specifier: string;
}

/** A package's `src` as its layering tests read it: its files, their imports, its import cycles. */
export interface SourceTree {
  /** Every `.ts` file under src, as a path relative to it (`engine/cache.ts`). */
  readonly files: string[];
  /** Every `import ... from` and `export ... from` of `file`, type-only ones included. */
  importsOf(file: string): SourceImport[];
  /** The package files `file` imports, as paths under src. */
  localImports(file: string): string[];
  /** Every import cycle (type imports included), each as `a.ts -> b.ts -> a.ts`. */
  cycles(): string[];
}

/** Reads the source tree at `src` for a layering test. */
export function sourceTree(src: string): SourceTree {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [relative(src, join(dir, entry.name))]
          : [],
    );
  const files = walk(src);
  const importsOf = (file: string): SourceImport[] =>
    [
      ...readFileSync(join(src, file), 'utf8').matchAll(
        /^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms,
      ),
    ].map((m) => ({ typeOnly: Boolean(m[1]), specifier: m[2] as string }));
  const localImports = (file: string): string[] =>
    importsOf(file)
      .map(({ specifier }) => specifier)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => `${relative(src, resolve(src, dirname(file), specifier))}.ts`);
  const cycles = (): string[] => {
    const found: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        found.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of localImports(file)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    return found;
  };
  return { files, importsOf, localImports, cycles };
}
