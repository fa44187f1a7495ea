import type { Deadline } from './call-deadline';
import { DeadlineQueue } from './deadline-queue';

export type { Deadline } from './call-deadline';

/**
 * Settles with `work`, or rejects with RedisTimeoutError after `timeoutMs`: a caller never waits
 * longer than its deadline on a slow or dead Redis. With `abortable`, the deadline's signal aborts
 * at the deadline, so a client that supports it drops the command if it was not sent yet instead
 * of running it later. For one call; a backend keeps one DeadlineQueue for all of its calls.
 */
export function withDeadline<T>(
  work: (deadline: Deadline) => Promise<T>,
  timeoutMs: number,
  operation: string,
  abortable = true,
): Promise<T> {
  return new DeadlineQueue(timeoutMs, abortable, (error) => error).run(work, operation);
}
