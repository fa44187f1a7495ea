import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeAnswer, quickStartRequests } from './quickstart-requests';
import type { ReadmeBlock } from './readme-blocks';
import { quickStartFramework, runQuickStart } from './run-quickstart';

export interface QuickStartCheck {
  /** The README blocks, in the order compileReadmeBlocks emitted them. */
  blocks: ReadmeBlock[];
  /** The JavaScript tsc emitted for `blocks[index]`: an ES module. */
  emitted: (index: number) => string;
  /** The same quick start made a CommonJS TypeScript app (commonjs-quickstarts.ts), emitted. */
  emittedCommonJs: (index: number) => string;
  /**
   * The consumer that installed only the README's Install line for this package and framework
   * (`npm i @rediware/session express-session express ioredis`), or undefined when there is none.
   */
  installedFor: (readme: string, framework: 'express' | 'fastify') => string | undefined;
  redisUrl: string;
  /** Records a quick start that did not answer as expected (a failure or a warning). */
  problem: (report: string) => void;
}

/**
 * Runs every ```ts quickstart block as a user who typed the README's Install line and copied the
 * block would: its JavaScript in that line's consumer (nothing else installed), against
 * `redisUrl`, sent the requests of quickstart-requests.ts: as the ES module it is, and made a
 * CommonJS TypeScript app (commonjs-quickstarts.ts). Prints each result; resolves to how many runs
 * answered as expected.
 */
export async function checkQuickStarts(check: QuickStartCheck): Promise<number> {
  const seen = new Set<string>();
  let answered = 0;
  let runs = 0;
  for (const [index, block] of check.blocks.entries()) {
    if (!block.quickstart) continue;
    const framework = quickStartFramework(block.code);
    const name = `${block.readme} ${framework}`;
    const requests = quickStartRequests[name];
    if (!framework || !requests || seen.has(name)) {
      check.problem(
        `${block.where}: a quickstart block imports one adapter (./express or ./fastify), and release/src/quickstart-requests.ts has one entry for it (${name})`,
      );
      continue;
    }
    seen.add(name);
    const consumer = check.installedFor(block.readme, framework);
    if (!consumer) {
      check.problem(
        `${block.where}: no Install line of its README installs ${framework} (release/src/install-lines.ts)`,
      );
      continue;
    }
    const formats = [
      { format: 'esm', emitted: check.emitted(index), extension: 'mjs' },
      { format: 'ts-commonjs', emitted: check.emittedCommonJs(index), extension: 'cjs' },
    ];
    for (const { format, emitted, extension } of formats) {
      const label = `${block.where} (${framework}, ${format})`;
      try {
        const file = join(consumer, `quickstart-${index}.${extension}`);
        copyFileSync(emitted, file);
        // Each run on a database of its own, as on a user's fresh Redis: one that is stopped right
        // after its answers leaves its state behind (a guard's lock until its ttl).
        const database = ++runs % 16;
        const { answers, output } = await runQuickStart(file, requests, `${check.redisUrl}/${database}`);
        const expected = requests.map(({ status, headers }) => describeAnswer(status, headers));
        if (answers.join(', ') !== expected.join(', '))
          check.problem(
            `${label} answered ${answers.join(', ')}, not ${expected.join(', ')} to ${requests.map(({ method, path }) => `${method} ${path}`).join(', ')}; it printed:\n${output.slice(-4000)}`,
          );
        else {
          answered++;
          console.log(`  ok  ${label}: ${answers.join(', ')}`);
        }
      } catch (error) {
        check.problem(`${label} ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  for (const name of Object.keys(quickStartRequests))
    if (!seen.has(name))
      check.problem(`no \`\`\`ts quickstart block for ${name} (release/src/quickstart-requests.ts)`);
  return answered;
}
