import { RedisTimeoutError } from './errors';

/**
 * Settles with `work`, or rejects with RedisTimeoutError after `timeoutMs`: a caller never waits
 * longer than its deadline on a slow or dead Redis. At the deadline `signal` aborts, so a client
 * that supports it drops the command if it was not sent yet, instead of running it later.
 */
export function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new RedisTimeoutError(operation, timeoutMs));
      controller.abort();
    }, timeoutMs);
  });
  const running = work(controller.signal);
  // A late rejection of `work` after the deadline fired must not become an unhandled rejection.
  running.catch(() => {});
  return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
}
