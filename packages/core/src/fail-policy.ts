import { isRedisError, isRedisOutage } from './driver/classify-error';
import { RedisRefusedError } from './errors';
import type { FailureEvent } from './events';
import { warnRefusedOnce } from './refusal-warning';

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

/**
 * `true`: go on without Redis (answering with the fallback) when it is unreachable, slow or
 * unable to serve, and pass a refusal (RedisRefusedError: wrong password, missing ACL permission,
 * OOM, ...) on, since that is a configuration error no outage explains. `'always'`: go on without
 * Redis on every Redis failure, refusals included. `false`: pass every failure on.
 */
interface FailOpenOrClosed<T> extends FailPolicyBase {
  failOpen: boolean | 'always';
  /** The answer to give when failing open. */
  fallback: () => T | Promise<T>;
}

/** What `withFailPolicy` does on a Redis failure: fail closed, or fail open with a fallback. */
export type FailPolicy<T> = FailClosed | FailOpenOrClosed<T>;

/**
 * Settles as `sent` does; when it rejects with a Redis failure, emits a `failure` event and
 * either answers with the fallback (fail open) or rejects with the failure (fail closed), as the
 * policy says for that kind of failure (see `failOpen`). A refusal is also a process warning, once
 * per reply code. Errors that are not Redis failures, such as a bad argument, always propagate. A
 * rejection handler on the call's own promise: the common path adds no async frame.
 */
export function withFailPolicy<T>(sent: Promise<T>, policy: FailPolicy<T>): Promise<T> {
  return sent.catch((error: unknown) => {
    if (!isRedisError(error)) throw error;
    if (error instanceof RedisRefusedError) warnRefusedOnce(error);
    const { fallback } = policy;
    const failedOpen =
      fallback !== undefined &&
      (policy.failOpen === 'always' || (policy.failOpen === true && isRedisOutage(error)));
    policy.onFailure({ operation: policy.operation, error, failedOpen });
    if (!failedOpen || fallback === undefined) throw error;
    return fallback();
  });
}
