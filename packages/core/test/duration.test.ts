import fc from 'fast-check';
import { parseDuration, parsePositiveDuration, RediwareConfigError } from '../src';

describe('parseDuration', () => {
  it.each([
    [0, 0],
    [250, 250],
    [1.2, 2],
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [' 2 s ', 2000],
  ])('%p is %p ms', (input, expected) => {
    expect(parseDuration(input, 'window')).toBe(expected);
  });

  it.each([
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '',
    'abc',
    '10',
    '10w',
    '-5s',
    '5 sec',
    '1e3ms',
    null,
    {},
    [],
    true,
  ])('rejects %p naming the option', (input) => {
    expect(() => parseDuration(input, 'window')).toThrow(RediwareConfigError);
    expect(() => parseDuration(input, 'window')).toThrow(/`window`/);
  });

  it('parsePositiveDuration rejects zero', () => {
    expect(() => parsePositiveDuration('0s', 'ttl')).toThrow(/`ttl`: expected a duration above zero/);
    expect(parsePositiveDuration('1ms', 'ttl')).toBe(1);
  });

  it('never returns a negative, fractional or non-finite number, and never throws anything but a config error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constantFrom('1ms', '2s', '3m')),
        (input) => {
          try {
            const ms = parseDuration(input, 'timeout');
            expect(Number.isSafeInteger(ms) || ms === Math.ceil(ms)).toBe(true);
            expect(ms).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(ms)).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(RediwareConfigError);
            expect((error as RediwareConfigError).option).toBe('timeout');
          }
        },
      ),
    );
  });
});
