import { LockError } from '@rediware/core';

/** The resource is held (every slot, in semaphore mode) and the caller did not wait (`wait: 0`). */
export class LockBusyError extends LockError {
  /** The user keys asked for. */
  readonly keys: readonly string[];
  /** How long the current holder still holds it, in ms: the `Retry-After` of a guard. */
  readonly retryAfterMs: number;

  constructor(keys: readonly string[], retryAfterMs: number) {
    super('ERR_RW_LOCK_BUSY', `The lock on ${describeKeys(keys)} is held by someone else.`, {
      statusCode: 409,
    });
    this.keys = keys;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The caller waited `wait` ms and the lock never came free. */
export class LockTimeoutError extends LockError {
  /** The user keys asked for. */
  readonly keys: readonly string[];
  /** How long the caller waited, in ms. */
  readonly waitedMs: number;
  /** How long the current holder still holds it, as of the last attempt. */
  readonly retryAfterMs: number;

  constructor(keys: readonly string[], waitedMs: number, retryAfterMs: number) {
    super(
      'ERR_RW_LOCK_TIMEOUT',
      `Waited ${waitedMs}ms (option \`wait\`) for the lock on ${describeKeys(keys)}; it is still held.`,
      { statusCode: 409 },
    );
    this.keys = keys;
    this.waitedMs = waitedMs;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The lock is no longer held: it expired, an extension found it taken, or Redis could not confirm
 * an extension before the lock's ttl ran out. `lock.signal` aborts with this error as its reason.
 */
export class LockLostError extends LockError {
  /** The keys of the lost lock. */
  readonly keys: readonly string[];
  /** The fencing token of the lost lock. */
  readonly fencingToken: number;

  constructor(keys: readonly string[], fencingToken: number, detail: string, cause?: unknown) {
    super(
      'ERR_RW_LOCK_LOST',
      `The lock on ${describeKeys(keys)} (fencing token ${fencingToken}) was lost: ${detail}`,
      {
        statusCode: 409,
        cause,
      },
    );
    this.keys = keys;
    this.fencingToken = fencingToken;
  }
}

/** Waiting for the lock was cancelled by the caller's AbortSignal or by `locker.close()`. */
export class LockAbortedError extends LockError {
  /** The user keys asked for. */
  readonly keys: readonly string[];

  constructor(keys: readonly string[], cause?: unknown) {
    super('ERR_RW_LOCK_ABORTED', `Waiting for the lock on ${describeKeys(keys)} was cancelled.`, {
      statusCode: 499,
      cause,
    });
    this.keys = keys;
  }
}

/**
 * The client of a guarded request went away: the reason `req.lock.signal` / `request.lock.signal`
 * aborts with while the handler still holds the lock (until it finishes or the ttl runs out), and
 * the cause of the LockAbortedError of a request that was still waiting.
 */
export class ClientGoneError extends LockError {
  constructor() {
    super('ERR_RW_LOCK_CLIENT_GONE', 'The client closed the connection before the response was sent.', {
      statusCode: 499,
    });
  }
}

function describeKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 3).map((key) => JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key));
  return keys.length > 3 ? `${shown.join(', ')} and ${keys.length - 3} more` : shown.join(', ');
}
