/**
 * Turns values into the bytes stored in Redis and back. Buffers bypass the serializer and are kept
 * byte for byte (kind 'b'); everything else goes through the serializer (kind 's').
 */
export interface Serializer {
  /** The stored form of a value; `undefined` means the value cannot be cached. */
  serialize(value: unknown): string | Buffer | undefined;
  /** The value back from its stored bytes. */
  deserialize(data: Buffer): unknown;
}

/** The default serializer: JSON text; a value `JSON.stringify` turns into undefined (a function, `undefined`) is not cached. */
export const jsonSerializer: Serializer = Object.freeze({
  serialize: (value: unknown) => JSON.stringify(value) as string | undefined,
  deserialize: (data: Buffer) => JSON.parse(data.toString('utf8')) as unknown,
});

/** How the stored bytes are to be read back. */
export type ValueKind = 'b' | 's';

export interface EncodedValue {
  readonly bytes: Buffer;
  readonly kind: ValueKind;
}

export function encodeValue(value: unknown, serializer: Serializer): EncodedValue | undefined {
  // A copy, so a caller that later mutates its Buffer cannot change what was cached.
  if (Buffer.isBuffer(value)) return { bytes: Buffer.from(value), kind: 'b' };
  const data = serializer.serialize(value);
  if (data === undefined) return undefined;
  return { bytes: typeof data === 'string' ? Buffer.from(data, 'utf8') : data, kind: 's' };
}

/** Every call returns a new value (a new Buffer, a freshly parsed object): callers may mutate it. */
export function decodeValue(encoded: EncodedValue, serializer: Serializer): unknown {
  if (encoded.kind === 'b') return Buffer.from(encoded.bytes);
  return serializer.deserialize(encoded.bytes);
}
