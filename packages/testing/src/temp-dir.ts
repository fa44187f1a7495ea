import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpOnExit } from './orphan-guard';

export interface TempDir {
  readonly path: string;
  /** Idempotent. */
  remove(): Promise<void>;
}

/** A fresh directory under the OS temp dir, removed at the latest when the process exits. */
export async function createTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const forget = cleanUpOnExit(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    remove: async () => {
      forget();
      await rm(path, { recursive: true, force: true });
    },
  };
}
