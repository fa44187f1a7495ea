import { decodeValue, type EncodedValue } from '../codec/value-codec';
import type { WrapStatus } from './cache-api';
import type { CacheState } from './cache-state';
import type { L1Entry } from './l1-tier';

/** What one flight produced, shared by every caller of the flight; each decodes its own copy. */
export interface Outcome {
  readonly encoded: EncodedValue | undefined;
  /** The value itself when it has no encoding (not cacheable). */
  readonly value: unknown;
  readonly status: WrapStatus;
  readonly ageMs: number;
}

/** An L1 entry served as `status`: a hit, or stale when Redis and the loader both failed. */
export function l1Outcome(local: L1Entry, status: WrapStatus): Outcome {
  return { encoded: local.value, value: undefined, status, ageMs: Date.now() - local.createdAt };
}

/** One caller's own copy of the value. */
export function callerValue(state: CacheState, outcome: Outcome): unknown {
  return outcome.encoded ? decodeValue(outcome.encoded, state.config.serializer) : outcome.value;
}

/** Counts one answered call in the stats. */
export function countOutcome(state: CacheState, status: WrapStatus): void {
  if (status === 'hit') state.metrics.hits.add();
  else if (status === 'stale') state.metrics.stale.add();
  else state.metrics.misses.add();
}
