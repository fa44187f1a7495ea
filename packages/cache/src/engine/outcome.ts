import type { EncodedValue } from '../codec/value-codec';
import type { WrapStatus } from './cache-api';

/** What one flight produced, shared by every caller of the flight; each decodes its own copy. */
export interface Outcome {
  readonly encoded: EncodedValue | undefined;
  /** The value itself when it has no encoding (not cacheable). */
  readonly value: unknown;
  readonly status: WrapStatus;
  readonly ageMs: number;
}
