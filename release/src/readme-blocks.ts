import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from './pack-packages';

/** A fenced `ts` block of a README: where it is and its code. */
export interface ReadmeBlock {
  /** `packages/lock/README.md:67`, the line of the opening fence. */
  where: string;
  code: string;
}

/** Every block fenced as ```ts in the given READMEs (other info strings, like ```text, are not code to compile). */
export function readmeBlocks(readmes: string[]): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const readme of readmes) {
    const lines = readFileSync(readme, 'utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      if (lines[index]?.trim() !== '```ts') continue;
      const end = lines.findIndex((line, at) => at > index && line.trim() === '```');
      if (end === -1) break;
      blocks.push({
        where: `${relative(repositoryRoot, readme)}:${index + 1}`,
        code: lines.slice(index + 1, end).join('\n'),
      });
      index = end;
    }
  }
  return blocks;
}

/**
 * Compiles each block as its own ES module (`.mts`: top-level await allowed) in the consumer, as a
 * user's app on NodeNext resolution would, against the installed tarballs. Resolves to the blocks
 * that do not compile, each with tsc's diagnostics.
 */
export async function compileReadmeBlocks(
  consumer: string,
  blocks: ReadmeBlock[],
): Promise<{ where: string; errors: string[] }[]> {
  const dir = join(consumer, 'readme-blocks');
  mkdirSync(dir, { recursive: true });
  const files = blocks.map((block, index) => {
    const file = `block-${index}.mts`;
    // `export {}` keeps a block without imports a module, so blocks never share globals.
    writeFileSync(join(dir, file), `${block.code}\nexport {};\n`);
    return file;
  });
  const errorsOf = new Map<number, string[]>();
  // tsc reports no type errors while any file has a syntax error: a block that does not parse is
  // set aside and the others compiled again.
  let remaining = files.map((_, index) => index);
  while (remaining.length > 0) {
    const output = await runTsc(
      dir,
      remaining.map((index) => files[index] ?? ''),
    );
    let syntaxOnly = false;
    for (const line of output.split('\n')) {
      const match = /^block-(\d+)\.mts\((\d+),\d+\): (error TS(\d+).*)$/.exec(line);
      if (!match) continue;
      const index = Number(match[1]);
      if (match[4]?.startsWith('1')) syntaxOnly = true;
      errorsOf.set(index, [...(errorsOf.get(index) ?? []), `line ${match[2]}: ${match[3]}`]);
    }
    if (!syntaxOnly) break;
    remaining = remaining.filter((index) => !errorsOf.has(index));
  }
  return [...errorsOf].map(([index, errors]) => ({
    where: blocks[index]?.where ?? `block ${index}`,
    errors,
  }));
}

/** Runs tsc on `files` of `dir` (NodeNext, strict, no emit); resolves to its diagnostics, empty when they compile. */
async function runTsc(dir: string, files: string[]): Promise<string> {
  const tsconfig = {
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
    files,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: dir,
      timeout: 180_000,
    });
    return '';
  } catch (error) {
    return (error as { stdout?: string }).stdout ?? String(error);
  }
}
