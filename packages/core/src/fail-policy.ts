import { isRedisError } from './driver/classify-error';
import type { FailureEvent } from './events';

interface FailPolicyBase {
  /** Names the operation in the failure event. */
  operation: string;
  /** Receives the failure event, usually `(event) => emitter.emit('failure', event)`. */
  onFailure: (event: FailureEvent) => void;
}

/** Fail closed: the Redis failure is reported and passed on. */
interface FailClosed extends FailPolicyBase {
  failOpen: false;
  fallback?: never;
}

/** Go on without Redis (`failOpen: true`, answering with the fallback) or pass the error on. */
interface FailOpenOrClosed<T> extends FailPolicyBase {
  failOpen: boolean;
  /** The answer to give when failing open. */
  fallback: () => T | Promise<T>;
}

export type FailPolicy<T> = FailClosed | FailOpenOrClosed<T>;

/**
 * Settles as `sent` does; when it rejects with a Redis failure (unreachable, too slow, not
 * connected, an error reply), emits a `failure` event and either answers with the fallback (fail
 * open) or rejects with the failure (fail closed). Errors that are not Redis failures, such as a
 * bad argument, always propagate. A rejection handler on the call's own promise: the common path
 * adds no async frame.
 */
export function withFailPolicy<T>(sent: Promise<T>, policy: FailPolicy<T>): Promise<T> {
  return sent.catch((error: unknown) => {
    if (!isRedisError(error)) throw error;
    policy.onFailure({ operation: policy.operation, error, failedOpen: policy.failOpen });
    if (!policy.failOpen || policy.fallback === undefined) throw error;
    return policy.fallback();
  });
}
