import { isRedisError, type ProblemDetails } from '@rediware/core';
import { LockAbortedError, LockBusyError, type LockLostError, LockTimeoutError } from './errors';
import type { Lock } from './held-lock';
import { createLocker, type Locker } from './locker';
import type { GuardRouteConfig, LockerOptions } from './options';

/** What the adapter does with a request: go on holding the lock, or answer with this. */
export type GuardOutcome =
  | { readonly kind: 'held'; readonly lock: Lock }
  | { readonly kind: 'refused'; readonly response: GuardResponse }
  /** The client went away while waiting: nothing to answer. */
  | { readonly kind: 'cancelled' };

/** A framework-neutral response: the adapter copies it onto its reply. */
export interface GuardResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ProblemDetails;
}

export const problemContentType = 'application/problem+json';

/** The locker a guard uses: the one given, or one it creates (and then owns and closes). */
export function guardLocker(options: LockerOptions & { locker?: Locker | undefined }): {
  locker: Locker;
  owned: boolean;
} {
  const { locker, ...lockerOptions } = options;
  if (locker !== undefined) return { locker, owned: false };
  return { locker: createLocker(lockerOptions), owned: true };
}

/**
 * The whole guard, free of any framework: the adapters only copy requests in and responses out.
 * Busy and timed out → the route's status (409 or 423) with Retry-After, the holder's remaining
 * time; Redis unreachable → 503 (fail closed); anything else (a throwing `key`) is rethrown
 * for the framework's error handling.
 */
export function createGuard<Req>(
  locker: Locker,
  route: GuardRouteConfig<Req>,
): (req: Req, cancel: AbortSignal) => Promise<GuardOutcome> {
  return async (req, cancel) => {
    try {
      const [key, ttl, wait] = await Promise.all([route.key(req), route.ttl(req), route.wait(req)]);
      const lock = await locker.acquire(key, {
        ttl,
        wait,
        limit: route.limit,
        autoExtend: route.autoExtend,
        signal: cancel,
      });
      return { kind: 'held', lock };
    } catch (error) {
      if (error instanceof LockAbortedError) return { kind: 'cancelled' };
      if (error instanceof LockBusyError || error instanceof LockTimeoutError) {
        return {
          kind: 'refused',
          response: problemResponse(error.toProblem(), route.statusCode, {
            'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))),
          }),
        };
      }
      if (isRedisError(error)) {
        return { kind: 'refused', response: problemResponse(error.toProblem(), error.statusCode) };
      }
      throw error;
    }
  };
}

/** The answer when the lock is lost before the handler sent anything. */
export function lostResponse(error: LockLostError, statusCode: number): GuardResponse {
  return problemResponse(error.toProblem(), statusCode);
}

function problemResponse(
  problem: ProblemDetails,
  status: number,
  headers: Record<string, string> = {},
): GuardResponse {
  return { status, headers, body: { ...problem, status } };
}
