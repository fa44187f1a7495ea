import type { Duration, ProblemDetails, RediwareErrorCode } from '@rediware/core';
import type { ClientGone } from './client-gone';
import type { LockLostError } from './errors';
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
  // By `code`, not instanceof: a locker from another copy of this package (its CommonJS and ESM
  // builds, or two installs) throws its own copy of each class.
  const refused = (error: unknown): GuardOutcome => {
    const coded = codedError(error);
    if (coded?.code === 'ERR_RW_LOCK_ABORTED') return { kind: 'cancelled' };
    if (coded?.code === 'ERR_RW_LOCK_BUSY' || coded?.code === 'ERR_RW_LOCK_TIMEOUT') {
      return {
        kind: 'refused',
        response: problemResponse(coded.toProblem(), route.statusCode, {
          'retry-after': String(Math.max(1, Math.ceil((coded.retryAfterMs ?? 0) / 1000))),
        }),
      };
    }
    if (coded?.code.startsWith('ERR_RW_REDIS_')) {
      return { kind: 'refused', response: problemResponse(coded.toProblem(), coded.statusCode) };
    }
    throw error;
  };
  // A promise chain, not an async function: no await on the per-request values when they are plain.
  return (req, cancel) => {
    let taken: Promise<Lock>;
    try {
      const values = perRequest(req, route);
      taken = isThenable(values)
        ? values.then((resolved) => acquire(resolved, cancel))
        : acquire(values, cancel);
    } catch (error) {
      taken = Promise.reject(error);
    }
    return taken.then(held, refused);
  };
}

/** What the guard reads of a rediware error, from whichever copy of its class made it. */
interface CodedError {
  readonly code: RediwareErrorCode;
  readonly statusCode: number;
  /** Busy and timed-out errors: how long the holder still holds the lock. */
  readonly retryAfterMs?: number;
  toProblem(): ProblemDetails;
}

function codedError(error: unknown): CodedError | undefined {
  const candidate = error as Partial<CodedError> | null | undefined;
  return typeof candidate?.code === 'string' &&
    candidate.code.startsWith('ERR_RW_') &&
    typeof candidate.statusCode === 'number' &&
    typeof candidate.toProblem === 'function'
    ? (candidate as CodedError)
    : undefined;
}

function held(lock: Lock): GuardOutcome {
  return { kind: 'held', lock: lock as HeldLock };
}

type Values = [string | readonly string[], Duration, Duration];

/**
 * The three per-request values (key, ttl, wait); awaited only when one of them is a promise. When
 * one callback throws after another returned a promise, that promise's rejection is handled too.
 */
function perRequest<Req>(req: Req, route: GuardRouteConfig<Req>): Values | Promise<Values> {
  const key = route.key(req);
  let ttl: Duration | Promise<Duration> | undefined;
  let wait: Duration | Promise<Duration>;
  try {
    ttl = route.ttl(req);
    wait = route.wait(req);
  } catch (error) {
    for (const earlier of [key, ttl]) if (isThenable(earlier)) Promise.resolve(earlier).catch(() => {});
    throw error;
  }
  if (isThenable(key) || isThenable(ttl) || isThenable(wait)) return Promise.all([key, ttl, wait]);
  return [key, ttl, wait];
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
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
