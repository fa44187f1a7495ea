import { parseIdempotencyKey } from '../src/idempotency-key';

describe('the Idempotency-Key header', () => {
  it.each([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['  "padded"  ', 'padded'],
    ['"a \\"quoted\\" \\\\ key"', 'a "quoted" \\ key'],
    [`"${'k'.repeat(255)}"`, 'k'.repeat(255)],
  ])('reads %s as a Structured Field string', (header, key) => {
    expect(parseIdempotencyKey(header)).toEqual({ kind: 'key', key });
  });

  it.each([
    ['unquoted', '8e03978e'],
    ['empty', '""'],
    ['over 255 characters', `"${'k'.repeat(256)}"`],
    ['unterminated', '"abc'],
    ['with parameters', '"abc";a=1'],
    ['two header lines', '"a", "b"'],
    ['a bad escape', '"a\\nb"'],
    ['a control character', '"a\tb"'],
    ['non-ASCII', '"café"'],
  ])('refuses a key that is %s', (_, header) => {
    expect(parseIdempotencyKey(header)).toEqual({ kind: 'malformed' });
  });

  it('tells a missing header apart', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ kind: 'absent' });
  });
});
