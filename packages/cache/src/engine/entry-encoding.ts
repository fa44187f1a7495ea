import { type EncodedValue, encodeValue } from '../codec/value-codec';
import type { CacheState } from './cache-state';
import type { Location } from './location';

/** The stored form of a value; undefined when it is not cacheable (an oversize one is reported). */
export function encodeEntry(state: CacheState, location: Location, value: unknown): EncodedValue | undefined {
  const encoded = encodeValue(value, state.config.serializer);
  if (encoded && encoded.bytes.length > state.config.maxValueSize) {
    state.events.emit('oversize', {
      key: location.key,
      size: encoded.bytes.length,
      limit: state.config.maxValueSize,
    });
    return undefined;
  }
  return encoded;
}

/** The stored form of a loaded value when Redis failed (nothing is stored): only for copies per caller. */
export function tryEncode(state: CacheState, value: unknown): EncodedValue | undefined {
  try {
    return encodeValue(value, state.config.serializer);
  } catch {
    return undefined;
  }
}
