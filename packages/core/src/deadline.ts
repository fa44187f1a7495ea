import { RedisTimeoutError } from './errors';

/**
 * Settles with `work`, or rejects with RedisTimeoutError after `timeoutMs`: a caller never waits
 * longer than its deadline on a slow or dead Redis. The command itself may still run on Redis.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(operation, timeoutMs)), timeoutMs);
  });
  // A late rejection of `work` after the deadline fired must not become an unhandled rejection.
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
