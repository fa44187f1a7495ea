import { RedisTimeoutError } from './errors';

/** What a call under a deadline can see of it. */
export interface Deadline {
  /** Aborted at the deadline; only when the client can drop a command it has not sent yet. */
  readonly signal: AbortSignal | undefined;
  /** True once the deadline passed: nobody waits for the answer any more. */
  readonly expired: boolean;
}

/**
 * Settles with `work`, or rejects with RedisTimeoutError after `timeoutMs`: a caller never waits
 * longer than its deadline on a slow or dead Redis. With `abortable`, the deadline's signal aborts
 * at the deadline, so a client that supports it drops the command if it was not sent yet instead
 * of running it later. This runs on every Redis call, so it avoids Promise.race and creates an
 * AbortController only for clients that can use one.
 */
export function withDeadline<T>(
  work: (deadline: Deadline) => Promise<T>,
  timeoutMs: number,
  operation: string,
  abortable = true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = abortable ? new AbortController() : undefined;
    const deadline = { signal: controller?.signal, expired: false };
    const timer = setTimeout(() => {
      deadline.expired = true;
      reject(new RedisTimeoutError(operation, timeoutMs));
      controller?.abort();
    }, timeoutMs);
    work(deadline).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        // After the deadline nobody waits for this: a second settle is a no-op, not an unhandled rejection.
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
