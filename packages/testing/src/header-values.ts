import fc from 'fast-check';

/** Characters that `*`, `?`, `[` and friends make dangerous in a SCAN pattern, a key or a parser. */
const tricky = ['*', '?', '[', ']', '{', '}', '\\', ',', ';', '=', '"', "'", '%', '%00', ':', ' ', '\t', '.'];

/** Every byte an HTTP/1.1 header value may carry: tab, visible ASCII, space, obs-text (0x80-0xff). */
const headerChar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.constantFrom(...tricky) },
);

/**
 * Any value a client can put in a header: empty, tricky characters, obs-text, and now and then
 * one long enough (up to 20 kB) that Node's 16 kB header limit answers 431 before any app code.
 */
export function headerValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.string({ unit: headerChar, maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.string({ unit: headerChar, minLength: 1, maxLength: 10 }),
          fc.integer({ min: 100, max: 2_000 }),
        )
        .map(([piece, times]) => piece.repeat(times).slice(0, 20_000)),
    },
  );
}

/** A Unicode string as a client sends it in a header or cookie: percent-encoded UTF-8. */
export function encodedUnicode(): fc.Arbitrary<string> {
  return fc.string({ unit: 'grapheme', maxLength: 100 }).map(encodeURIComponent);
}
