import { RediwareConfigError } from './errors';

/**
 * Validators for `parseOptions()` in every package: each returns the value typed, or throws a
 * RediwareConfigError naming the option. `undefined` is handled by the caller (defaults).
 */

export function checkObject(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RediwareConfigError(option, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/** A whole number above 0. */
export function checkPositiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new RediwareConfigError(option, 'a positive integer', value);
  }
  return value;
}

/** A finite number above 0. */
export function checkPositiveNumber(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RediwareConfigError(option, 'a positive finite number', value);
  }
  return value;
}

/** A whole number, 0 or more. */
export function checkNonNegativeInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RediwareConfigError(option, 'a non-negative integer', value);
  }
  return value;
}

/** `true` or `false`. */
export function checkBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean') throw new RediwareConfigError(option, 'true or false', value);
  return value;
}

/** A string. */
export function checkString(value: unknown, option: string): string {
  if (typeof value !== 'string') throw new RediwareConfigError(option, 'a string', value);
  return value;
}

/**
 * A function.
 *
 * @typeParam F - The function type the option declares.
 */
export function checkFunction<F extends (...args: never[]) => unknown>(value: unknown, option: string): F {
  if (typeof value !== 'function') throw new RediwareConfigError(option, 'a function', value);
  return value as F;
}

/** One of the `allowed` strings. */
export function checkOneOf<T extends string>(value: unknown, option: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new RediwareConfigError(option, `one of ${allowed.map((v) => `'${v}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Rejects option names the package does not know, which are almost always typos. */
export function checkKnownKeys(
  options: Record<string, unknown>,
  known: readonly string[],
  scope: string,
): void {
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new RediwareConfigError(
        `${scope}.${name}`,
        `one of the known options (${known.join(', ')})`,
        name,
      );
    }
  }
}
