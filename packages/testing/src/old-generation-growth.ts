import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface OldGenerationChurn {
  /** The package root: `./src/...` imports in `setup` resolve from it. */
  cwd: string;
  /** Module code run once first: imports and the structure under test. */
  setup: string;
  /** Statements run for each `i` from 0 to `iterations` - 1. */
  step: string;
  iterations: number;
}

/**
 * How much V8's old generation grew at most (bytes) while `step` ran, measured in a process of its
 * own (tsx, `--expose-gc`, two full collections first). For tests that a long-lived structure
 * with an add and a delete per request does not carry its garbage into the old generation.
 */
export async function oldGenerationGrowth({
  cwd,
  setup,
  step,
  iterations,
}: OldGenerationChurn): Promise<number> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    ${setup}
    const oldSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'old_space').space_used_size;
    gc();
    gc();
    const start = oldSpace();
    let grown = 0;
    for (let i = 0; i < ${iterations}; i++) {
      ${step}
      if (i % 1000 === 0) grown = Math.max(grown, oldSpace() - start);
    }
    console.log(grown);
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd },
  );
  return Number(stdout.trim());
}
