import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { publicPackages, repositoryRoot } from './pack-packages';

/** A fenced `ts` block of a README: where it is and its code. */
export interface ReadmeBlock {
  /** `packages/lock/README.md:67`, the line of the opening fence. */
  where: string;
  /** The README's path from the repository's root, `packages/lock/README.md`. */
  readme: string;
  code: string;
  /** Fenced ```ts quickstart: release:check also runs it against a real redis-server and sends it requests. */
  quickstart: boolean;
}

/** The folders of guides whose ```ts blocks are compiled like the READMEs': each `.md` in them. */
const guideFolders = ['docs/migrating', 'docs/cache'];

/**
 * Every Markdown file whose ```ts blocks release:check compiles: the root README, each public
 * package's README, and the guides of docs/migrating (their "after" examples; the "before" ones,
 * importing the package left, are ```js) and docs/cache.
 */
export function documentedFiles(): string[] {
  return [
    join(repositoryRoot, 'README.md'),
    ...publicPackages().map(({ dir }) => join(dir, 'README.md')),
    ...guideFolders.flatMap((folder) =>
      readdirSync(join(repositoryRoot, folder))
        .filter((file) => file.endsWith('.md'))
        .sort()
        .map((file) => join(repositoryRoot, folder, file)),
    ),
  ];
}

/** The words a ```ts fence may carry after `ts`: `fragment` (not compiled) and `quickstart` (compiled and run). */
const fenceWords = new Set(['fragment', 'quickstart']);

/**
 * Every block fenced as ```ts in the given READMEs, except ```ts fragment (other info strings, like
 * ```text, are not code to compile). Throws on a word it does not know after `ts` (```ts quickstrat
 * would otherwise be compiled and never run).
 */
export function readmeBlocks(readmes: string[]): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const file of readmes) {
    const readme = relative(repositoryRoot, file);
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const fence = /^```ts(?:\s+(.*))?$/.exec(lines[index]?.trim() ?? '');
      if (!fence) continue;
      const end = lines.findIndex((line, at) => at > index && line.trim() === '```');
      if (end === -1) break;
      const where = `${readme}:${index + 1}`;
      const words = (fence[1] ?? '').split(/\s+/).filter(Boolean);
      const unknown = words.filter((word) => !fenceWords.has(word));
      if (unknown.length > 0)
        throw new Error(
          `${where}: \`\`\`ts ${words.join(' ')}: unknown ${unknown.join(', ')} (known: ${[...fenceWords].join(', ')})`,
        );
      if (!words.includes('fragment'))
        blocks.push({
          where,
          readme,
          code: lines.slice(index + 1, end).join('\n'),
          quickstart: words.includes('quickstart'),
        });
      index = end;
    }
  }
  return blocks;
}

/** The JavaScript tsc emitted for `blocks[index]` by compileReadmeBlocks (an ES module). */
export function emittedBlock(consumer: string, index: number): string {
  return join(consumer, 'readme-blocks', 'out', `block-${index}.mjs`);
}

/**
 * Compiles each block as its own ES module (`.mts`: top-level await allowed) in the consumer, as a
 * user's app on NodeNext resolution would, against the installed tarballs, and emits its
 * JavaScript (emittedBlock). Resolves to the blocks that do not compile, each with tsc's diagnostics.
 */
export async function compileReadmeBlocks(
  consumer: string,
  blocks: ReadmeBlock[],
): Promise<{ where: string; errors: string[] }[]> {
  const dir = join(consumer, 'readme-blocks');
  rmSync(dir, { recursive: true, force: true });
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
      nodeNext,
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

/** What a user's app on NodeNext resolution compiles with (strict, emitted to `out/`). */
const nodeNext = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  strict: true,
  skipLibCheck: true,
  outDir: 'out',
  types: ['node'],
};

/**
 * Runs tsc on `files` of `dir` with `compilerOptions` (written to its tsconfig.json); resolves to
 * its diagnostics, empty when they compile.
 */
export async function runTsc(dir: string, compilerOptions: object, files: string[]): Promise<string> {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }, null, 2));
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
