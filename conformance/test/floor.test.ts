import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The conformance counts never go down: the suite runs through both frameworks (what
// `pnpm conformance` does) and each must pass at least the floor. Raise the floor as they improve.
// It sits about three below the best runs (156 / 84 in each framework): the suite's timed tests
// can lose one or two to scheduling while the rest of `pnpm test` shares the machine.
const floor = { required: 152, optimal: 80 };

const workspace = join(__dirname, '..');
/** The harness imports the built package (CI builds before it tests). */
const built = join(workspace, '..', 'packages', 'cache', 'dist', 'express.js');
/** Both frameworks take under a minute together; past this the run is killed, whatever it started. */
const hardTimeoutMs = 5 * 60_000;

interface FrameworkScore {
  framework: string;
  score: { required: number; optimal: number; requiredFailed: string[]; optimalFailed: string[] };
}

/**
 * Runs `pnpm conformance --json` as a child in a process group of its own, so that a hard timeout
 * kills it with everything it started (origin server, suite client, redis-server). Both output
 * pipes are drained: a child blocked on a full stderr pipe never exits.
 */
function runConformance(jsonFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--json', jsonFile], {
      cwd: workspace,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`conformance run killed after ${hardTimeoutMs} ms:\n${output}`));
    }, hardTimeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// The suite is end to end and timed (pauses of 3 s against freshness of 1 or 2 s): on a loaded
// 2-core machine one run in several loses a test or two to scheduling. A second run must fail
// too before the floor counts as broken.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

describe('http-cache-tests conformance (Express and Fastify)', () => {
  it(
    `passes at least ${floor.required} required and ${floor.optimal} optimal tests in each framework`,
    async () => {
      if (!existsSync(built)) throw new Error('packages/cache is not built: run `pnpm build` first');
      const dir = mkdtempSync(join(tmpdir(), 'rediware-conformance-'));
      try {
        const jsonFile = join(dir, 'scores.json');
        const { code, output } = await runConformance(jsonFile);
        if (code !== 0) throw new Error(`pnpm conformance exited ${code}:\n${output}`);
        const scores = JSON.parse(readFileSync(jsonFile, 'utf8')) as FrameworkScore[];
        expect(scores.map((entry) => entry.framework).sort()).toEqual(['express', 'fastify']);
        for (const { framework, score } of scores) {
          const counts = { framework, required: score.required, optimal: score.optimal };
          expect(counts).toEqual({
            framework,
            required: Math.max(score.required, floor.required),
            optimal: Math.max(score.optimal, floor.optimal),
          });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    hardTimeoutMs + 30_000,
  );
});
