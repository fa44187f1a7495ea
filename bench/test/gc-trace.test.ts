import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { summarizeGcTrace } from '../src/runner/gc-trace';

/**
 * The `--trace-gc-nvp` lines of a Node process that allocates 4 million small objects and keeps
 * every other one, or only the last 64 (each escapes into a ring, so none is optimized away).
 */
async function traceOf(keep: 'half' | 'last 64'): Promise<string[]> {
  const script = `
    const kept = [];
    for (let i = 0; i < 4e6; i++) {
      const item = { i, list: [i] };
      if (${keep === 'half'}) {
        if (i % 2 === 0) kept.push(item);
      } else kept[i % 64] = item;
    }
    console.log(kept.length);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-gc-nvp', '-e', script], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.split('\n');
}

describe('summarizeGcTrace', () => {
  it('counts the scavenges and tells a process that keeps its objects from one that drops them', async () => {
    const keeping = summarizeGcTrace(await traceOf('half'));
    const dropping = summarizeGcTrace(await traceOf('last 64'));
    expect(keeping.scavenges).toBeGreaterThan(5);
    expect(dropping.scavenges).toBeGreaterThan(5);
    expect(keeping.scavengePauseMs).toBeGreaterThan(0);
    // Half of every object kept: megabytes survive and move to the old generation at each scavenge.
    expect(keeping.survivedBytes).toBeGreaterThan(10 * dropping.survivedBytes);
    expect(keeping.promotedBytes).toBeGreaterThan(1e5);
    expect(dropping.promotedBytes).toBeLessThan(keeping.promotedBytes / 10);
    expect(keeping.fullCollections).toBeGreaterThan(dropping.fullCollections);
  });

  it('reads nothing from lines that are not V8 traces', () => {
    expect(summarizeGcTrace(['listening on 3000', ''])).toEqual({
      scavenges: 0,
      fullCollections: 0,
      scavengePauseMs: 0,
      survivedBytes: 0,
      promotedBytes: 0,
    });
  });
});
