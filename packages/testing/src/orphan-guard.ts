import { spawnSync } from 'node:child_process';
import { runInThisContext } from 'node:vm';
import { findExecutable } from './find-executable';

/*
 * Spawned redis-servers must never outlive the test process. Two layers:
 * - cleanups run on 'exit' (SIGKILL the children still alive, remove their temp dirs), which covers
 *   process.exit and a natural end;
 * - on Linux, `setpriv --pdeathsig SIGKILL` so the kernel kills a child even when the test process is
 *   SIGKILLed (jest force-kills workers that do not exit), where no JS runs at all.
 */

// Jest hands each test file a copy of `process` whose listeners never fire; the worker's real process
// object lives in the main context. Outside jest this is the same object as `process`.
const realProcess = runInThisContext('process') as NodeJS.Process;

const cleanups = new Set<() => void>();

function runCleanups(): void {
  // Last registered first, like unwinding: a server is killed before its directory goes.
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // Best effort: the process is exiting anyway.
    }
  }
  cleanups.clear();
}

/** Runs `cleanup` (synchronous) if the process exits first; call the returned function to cancel. */
export function cleanUpOnExit(cleanup: () => void): () => void {
  // Listening only while there is something to clean keeps listeners from piling up on the shared
  // process, as every test file loads its own copy of this module.
  if (cleanups.size === 0) realProcess.on('exit', runCleanups);
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) realProcess.off('exit', runCleanups);
  };
}

let deathSignalPrefix: string[] | undefined;

/** The command prefix that ties a child's life to ours, or [] where the platform can't do that. */
export function parentDeathPrefix(): string[] {
  if (deathSignalPrefix === undefined) {
    deathSignalPrefix = [];
    const setpriv = process.platform === 'linux' ? findExecutable('setpriv') : undefined;
    // Old util-linux builds lack --pdeathsig; probe once rather than fail every spawn.
    if (setpriv !== undefined && spawnSync(setpriv, ['--pdeathsig', 'SIGKILL', '--', 'true']).status === 0) {
      deathSignalPrefix = [setpriv, '--pdeathsig', 'SIGKILL', '--'];
    }
  }
  return deathSignalPrefix;
}
