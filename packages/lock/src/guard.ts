import { type Duration, isRedisError, type ProblemDetails } from '@rediware/core';
import type { ClientGone } from './client-gone';
import { LockAbortedError, LockBusyError, type LockLostError, LockTimeoutError } from './errors';
import type { HeldLock, Lock } from './held-lock';
import { createLocker, type Locker } from './locker';
import type { GuardRouteConfig, LockerOptions } from './options';

/** What the adapter does with a request: go on holding the lock, or answer with this. */
export type GuardOutcome =
  | { readonly kind: 'held'; readonly lock: HeldLock }
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
): (req: Req, cancel: ClientGone) => Promise<GuardOutcome> {
  const acquire = ([key, ttl, wait]: [string | readonly string[], Duration, Duration], cancel: ClientGone) =>
    locker.acquire(key, {
      ttl,
      wait,
      limit: route.limit,
      autoExtend: route.autoExtend,
      // An acquire that cannot wait has nothing to cancel: no signal to make for it.
      signal: wait === 0 ? undefined : cancel.signal,
    });
  const refused = (error: unknown): GuardOutcome => {
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
  };
  // A promise chain, not an async function: no await on the per-request values when they are plain.
  return (req, cancel) => {
    let taken: Promise<Lock>;
    try {
      const values = perRequest(route.key(req), route.ttl(req), route.wait(req));
      taken = isThenable(values)
        ? values.then((resolved) => acquire(resolved, cancel))
        : acquire(values, cancel);
    } catch (error) {
      taken = Promise.reject(error);
    }
    return taken.then(held, refused);
  };
}

function held(lock: Lock): GuardOutcome {
  return { kind: 'held', lock: lock as HeldLock };
}

/** The three per-request values; awaited only when one of them is a promise. */
function perRequest<A, B, C>(
  a: A | PromiseLike<A>,
  b: B | PromiseLike<B>,
  c: C | PromiseLike<C>,
): [A, B, C] | Promise<[A, B, C]> {
  if (isThenable(a) || isThenable(b) || isThenable(c)) return Promise.all([a, b, c]);
  return [a, b, c] as [A, B, C];
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
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
