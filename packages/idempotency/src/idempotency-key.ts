/** The `Idempotency-Key` header of one request, read. */
export type IdempotencyKeyHeader =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'key'; readonly key: string };

/** The draft caps keys at 255 characters. */
export const maxKeyLength = 255;

const absent: IdempotencyKeyHeader = Object.freeze({ kind: 'absent' });
const malformed: IdempotencyKeyHeader = Object.freeze({ kind: 'malformed' });

/**
 * Reads the header as a Structured Field string (RFC 9651 §4.2.5): `"..."` of printable ASCII,
 * `\"` and `\\` escaped. Anything else is malformed: an unquoted value, parameters, two header
 * lines (Node joins them with a comma), an empty or over-long key.
 */
export function parseIdempotencyKey(header: string | readonly string[] | undefined): IdempotencyKeyHeader {
  if (header === undefined) return absent;
  if (typeof header !== 'string') return malformed;
  const text = header.trim();
  if (text.length < 3 || text[0] !== '"') return malformed;
  let key = '';
  for (let i = 1; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5c) {
      const next = text[++i];
      if (next !== '"' && next !== '\\') return malformed;
      key += next;
    } else if (char === 0x22) {
      if (i !== text.length - 1 || key.length === 0 || key.length > maxKeyLength) return malformed;
      return { kind: 'key', key };
    } else if (char < 0x20 || char > 0x7e) return malformed;
    else key += text[i];
  }
  return malformed;
}
