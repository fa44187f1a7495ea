import { RediwareConfigError } from './errors';

/** Milliseconds, or a string with a unit: `'500ms'`, `'30s'`, `'5m'`, `'1h'`, `'1d'`. */
export type Duration = number | `${number}${DurationUnit}`;
/** The units a `Duration` string may end with: milliseconds, seconds, minutes, hours, days. */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const unitMs: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const durationPattern = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const expected = "a non-negative number of milliseconds or a string such as '500ms', '30s', '5m', '1h', '1d'";

/**
 * Parses a duration option into whole milliseconds (rounded up, so '1.5ms' never becomes 1).
 * `option` names the option in the error message.
 */
export function parseDuration(value: unknown, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RediwareConfigError(option, expected, value);
    return Math.ceil(value);
  }
  if (typeof value !== 'string') throw new RediwareConfigError(option, expected, value);
  const match = durationPattern.exec(value.trim());
  if (!match) throw new RediwareConfigError(option, expected, value);
  const ms = Number(match[1]) * unitMs[match[2] as DurationUnit];
  if (!Number.isFinite(ms)) throw new RediwareConfigError(option, expected, value);
  return Math.ceil(ms);
}

/** Like {@link parseDuration} but zero is rejected. */
export function parsePositiveDuration(value: unknown, option: string): number {
  const ms = parseDuration(value, option);
  if (ms === 0) throw new RediwareConfigError(option, 'a duration above zero', value);
  return ms;
}
