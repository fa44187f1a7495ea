import type { Script, ScriptArg } from '@rediware/core';

/**
 * A check that must pass for a loaded value to be written: the response cache's admission rule and
 * store budget. Where one script reaches the entry, its stamps and the check's keys (a standalone
 * server), the check runs first in the script that writes, so it costs no round trip of its own
 * and a refusal gives the loader lock back in the same trip. Elsewhere it runs on its own just
 * before the write.
 */
export interface WriteGuard {
  /** Replies 1 to let the write happen, any other number to refuse it. */
  readonly script: Script<number>;
  readonly keys: readonly string[];
  readonly args: readonly ScriptArg[];
  /** Nothing was written: the check replied `reply`, or Redis failed (undefined). */
  refused(reply: number | undefined): void;
}
