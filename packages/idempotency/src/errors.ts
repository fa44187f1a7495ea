import { RediwareError } from '@rediware/core';

/** A route that requires an `Idempotency-Key` got a request without one. */
export class IdempotencyKeyMissingError extends RediwareError {
  constructor() {
    super('ERR_RW_IDEMPOTENCY_KEY_MISSING', 'This route requires an Idempotency-Key header.', {
      statusCode: 400,
    });
  }
}

/** The `Idempotency-Key` header is not a Structured Field string of 1 to 255 characters. */
export class IdempotencyKeyMalformedError extends RediwareError {
  constructor() {
    super(
      'ERR_RW_IDEMPOTENCY_KEY_MALFORMED',
      'The Idempotency-Key header must be a Structured Field string of 1 to 255 characters, such as "8e03978e-40d5-43e8-bc93-6894a57f9324" (with the quotes).',
      { statusCode: 400 },
    );
  }
}

/** A request with this key is still running; `retryAfterMs` is when its marker would expire. */
export class IdempotencyInFlightError extends RediwareError {
  /** How long the first request's in-flight marker still lasts, in ms: the `Retry-After`. */
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number) {
    super(
      'ERR_RW_IDEMPOTENCY_IN_FLIGHT',
      'A request with this Idempotency-Key is still being processed; retry later.',
      { statusCode: 409 },
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** The key was used before for a different request (another method, path or body). */
export class IdempotencyMismatchError extends RediwareError {
  constructor() {
    super(
      'ERR_RW_IDEMPOTENCY_MISMATCH',
      'This Idempotency-Key was used for a different request (method, path or body); use a new key.',
      { statusCode: 422 },
    );
  }
}

/**
 * A stored record this package could not have written (a key of another Redis type, a hash of
 * the wrong shape, headers that are no JSON object of header fields): never thrown, the `error`
 * of a `corrupt` event. The request took the key over, as if there had been no record.
 */
export class IdempotencyCorruptRecordError extends RediwareError {
  constructor(reason: string) {
    super('ERR_RW_IDEMPOTENCY_CORRUPT', `The stored idempotency record is corrupt: ${reason}.`);
  }
}
