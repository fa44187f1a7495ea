import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ReadmeBlock, runTsc } from './readme-blocks';

/**
 * A quick start as a CommonJS TypeScript app writes it (`"module": "commonjs"`, node10 resolution,
 * the default of NestJS and many older apps): its imports and declarations stay at the top, the
 * rest (which uses top-level await, not allowed in CommonJS) runs in an async `main()`.
 */
export function asCommonJsApp(code: string): string {
  const lines = code.split('\n');
  const top: string[] = [];
  const body: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (!/^(import |declare |interface |type )/.test(line)) {
      body.push(line);
      continue;
    }
    // A declaration that opens a block (`declare module 'x' {`) runs to its closing line.
    const end = line.trimEnd().endsWith('{')
      ? lines.findIndex((closing, at) => at > index && closing === '}')
      : index;
    top.push(...lines.slice(index, end + 1));
    index = end;
  }
  return `${top.join('\n')}\n\nasync function main(): Promise<void> {\n${body.join('\n')}\n}\n\nmain().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n`;
}

/** What a TypeScript app on CommonJS compiles with (NestJS's default): node10 resolution. */
const commonJs = {
  module: 'commonjs',
  moduleResolution: 'node10',
  esModuleInterop: true,
  target: 'es2022',
  strict: true,
  skipLibCheck: true,
  outDir: 'out',
  types: ['node'],
};

/** The JavaScript (CommonJS) tsc emitted for `blocks[index]` by compileCommonJsQuickStarts. */
export function emittedCommonJs(consumer: string, index: number): string {
  return join(consumer, 'quickstarts-cjs', 'out', `block-${index}.js`);
}

/**
 * Compiles every quickstart block, made a CommonJS app (asCommonJsApp), with `"module": "commonjs"`
 * and node10 resolution against the tarballs installed in `consumer` (the packages' typesVersions
 * must resolve every subpath), and emits its JavaScript (emittedCommonJs). Resolves to tsc's
 * diagnostics, empty when they all compile.
 */
export async function compileCommonJsQuickStarts(consumer: string, blocks: ReadmeBlock[]): Promise<string> {
  const dir = join(consumer, 'quickstarts-cjs');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [index, block] of blocks.entries()) {
    if (!block.quickstart) continue;
    files.push(`block-${index}.ts`);
    writeFileSync(join(dir, `block-${index}.ts`), asCommonJsApp(block.code));
  }
  // A `package.json` without "type": the emitted .js files are CommonJS, as in such an app.
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  return runTsc(dir, commonJs, files);
}
