import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A lock older than this was left by a process that died while holding it. */
const staleAfterMs = 5 * 60_000;

/**
 * Runs `work` while no other process runs it for the same `name`: Jest runs the release test
 * files in parallel workers, and on a fresh clone each would build a package at once (tsup's
 * clean deleting the other's dist mid-pack). A directory is the lock: mkdir is atomic.
 */
export function withBuildLock<T>(name: string, work: () => T): T {
  const lock = join(tmpdir(), `rediware-build-lock-${name.replace(/\W/g, '-')}`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleAfterMs)
          rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released between the failed mkdir and the stat: try again.
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
