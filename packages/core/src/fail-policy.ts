import { isRedisError } from './driver/classify-error';
import type { FailureEvent } from './events';

export interface FailPolicy<T> {
  /** Names the operation in the failure event. */
  operation: string;
  /** Go on without Redis (true) or pass the error on (false). */
  failOpen: boolean;
  /** The answer to give when failing open. */
  fallback: () => T | Promise<T>;
  /** Receives the failure event, usually `(event) => emitter.emit('failure', event)`. */
  onFailure: (event: FailureEvent) => void;
}

/**
 * Runs `work`; when Redis fails (unreachable, too slow, not connected, an error reply), emits a
 * `failure` event and either returns the fallback (fail open) or rethrows (fail closed).
 * Errors that are not Redis failures, such as a bad argument, always propagate.
 */
export async function withFailPolicy<T>(work: () => Promise<T>, policy: FailPolicy<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isRedisError(error)) throw error;
    policy.onFailure({ operation: policy.operation, error, failedOpen: policy.failOpen });
    if (!policy.failOpen) throw error;
    return policy.fallback();
  }
}
