/**
 * Safe retries of POST and PATCH (`createIdempotency`): the IETF Idempotency-Key header's records
 * on Redis, with an in-flight marker that fences concurrent retries.
 *
 * @module @rediware/idempotency
 */
export {
  IdempotencyCorruptRecordError,
  IdempotencyInFlightError,
  IdempotencyKeyMalformedError,
  IdempotencyKeyMissingError,
  IdempotencyMismatchError,
} from './errors';
export { defaultFingerprint, type FingerprintParts } from './fingerprint';
export {
  type BusyDecision,
  type CorruptRecordEvent,
  createIdempotency,
  type Decision,
  Idempotency,
  type IdempotencyEvents,
  type IdempotencyRequest,
  type MismatchDecision,
  type ReplayDecision,
  type RunDecision,
} from './idempotency';
export { type IdempotencyMetrics, idempotencyMetricSpecs } from './idempotency-metrics';
export type { IdempotentRequest } from './idempotent-request';
export type { Flight } from './in-flight';
export type { IdempotencyRouteOptions, IdempotencyStoreOptions } from './options';
export type { StoredResponse } from './stored-response';
