import { RediwareError } from '@rediware/core';

/**
 * What a stored session must look like before a framework gets it: the one place that decides
 * whether a record is corrupt. express-session and @fastify/session trust what a store hands
 * them; a wrong type where they expect a number or a date makes them throw (a 500), hang the
 * request or, inside a store callback, end the process. So every field either framework reads
 * is checked here (express-session's `session/cookie.js` and `store.js#createSession`,
 * @fastify/session's `lib/cookie.js` and `lib/session.js`, and the `cookie` serializers both use
 * to write Set-Cookie), and anything else about the record is left as it is.
 */

/** A record a framework could not use safely; its message names the field. */
export class CorruptSessionError extends RediwareError {
  constructor(message: string) {
    super('ERR_RW_SESSION_CORRUPT', `The stored session is corrupt: ${message}.`);
  }
}

/** Own keys that would reach an object's prototype once copied (`for...in` + assignment). */
const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Session members the frameworks call on a loaded session. @fastify/session copies every stored
 * key onto its Session, so a stored `save` would replace the method it calls on every request.
 */
const sessionMethods = new Set([
  'save',
  'isModified',
  'isSaved',
  'regenerate',
  'reload',
  'destroy',
  'touch',
  'resetMaxAge',
]);

/** Both frameworks hash a session recursively: deeper than this is no session anyone wrote. */
const maxDepth = 1_000;

/** The latest expiry the `cookie` serializers write (year 9999); @fastify/cookie refuses later ones. */
const latestExpiry = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** domain-value and path-value of RFC 6265, as the `cookie` package checks them before writing. */
const domainValue = /^([.]?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const pathValue = /^[\u0020-\u003A\u003D-\u007E]*$/;

const absent = (value: unknown): value is null | undefined => value === undefined || value === null;

/** A lifetime in ms whose expiry counted from now is a date a cookie can carry. */
function isLifetime(value: unknown, now: number): boolean {
  return absent(value) || (typeof value === 'number' && value >= 0 && now + value <= latestExpiry);
}

/** A date as JSON stores one (an ISO string), or a Date a custom serializer revived. */
function isExpiry(value: unknown): boolean {
  if (absent(value)) return true;
  if (typeof value !== 'string' && !(value instanceof Date)) return false;
  return isEpochMs(new Date(value).getTime());
}

/** A point in time both cookie serializers accept (NaN fails every comparison). */
export function isEpochMs(ms: number): boolean {
  return ms >= 0 && ms <= latestExpiry;
}

const cookieFields: ReadonlyArray<[string, (value: unknown, now: number) => boolean]> = Object.entries({
  originalMaxAge: isLifetime,
  maxAge: isLifetime,
  expires: isExpiry,
  _expires: isExpiry,
  originalExpires: isExpiry,
  path: (value) => absent(value) || (typeof value === 'string' && pathValue.test(value)),
  domain: (value) => absent(value) || value === '' || (typeof value === 'string' && domainValue.test(value)),
  sameSite: (value) =>
    absent(value) ||
    typeof value === 'boolean' ||
    (typeof value === 'string' && /^(lax|strict|none)$/i.test(value)),
  priority: (value) => absent(value) || (typeof value === 'string' && /^(low|medium|high)$/i.test(value)),
  secure: (value) => absent(value) || typeof value === 'boolean' || value === 'auto',
  httpOnly: (value) => absent(value) || typeof value === 'boolean',
  partitioned: (value) => absent(value) || typeof value === 'boolean',
  // express-session's Cookie copies every stored field onto itself: these would hide its own.
  data: absent,
  serialize: absent,
  toJSON: absent,
});

export type StoredSession = Record<string, unknown> & { cookie: Record<string, unknown> };

/**
 * Throws a CorruptSessionError unless `value` is a session both frameworks can load: a plain
 * object with a `cookie` object whose fields have the types they expect, no key that would reach
 * a prototype at any depth, and no key that would replace a method of the framework's session.
 */
export function checkSessionShape(value: unknown, now: number): asserts value is StoredSession {
  if (!isPlainObject(value)) throw new CorruptSessionError(`expected an object, got ${kindOf(value)}`);
  const unsafe = unsafeDataReason(value);
  if (unsafe !== undefined) throw new CorruptSessionError(unsafe);
  for (const key in value) {
    if (sessionMethods.has(key)) throw new CorruptSessionError(`\`${key}\` would replace a session method`);
  }
  const cookie = value.cookie;
  if (!isPlainObject(cookie))
    throw new CorruptSessionError(`\`cookie\` is ${kindOf(cookie)}, expected an object`);
  for (const [field, check] of cookieFields) {
    const fieldValue = cookie[field];
    if (!check(fieldValue, now)) {
      throw new CorruptSessionError(`\`cookie.${field}\` is ${describe(fieldValue)}`);
    }
  }
}

/**
 * Why data could not be stored and read back safely: a key that would reach a prototype once
 * copied, at any depth, or nesting deeper than both frameworks can hash. Undefined when none.
 * Walks plain objects and arrays only (a Date, Map or Buffer is the serializer's business), and
 * iteratively, so a deep record cannot overflow the stack.
 */
export function unsafeDataReason(root: object): string | undefined {
  // Two parallel stacks: no tuple allocated per object on every read.
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = (depths.pop() as number) + 1;
    if (Array.isArray(value)) {
      if (depth > maxDepth) return `it is nested deeper than ${maxDepth}`;
      for (const item of value) {
        if (typeof item === 'object' && item !== null) {
          values.push(item);
          depths.push(depth);
        }
      }
    } else if (isPlainObject(value)) {
      if (depth > maxDepth) return `it is nested deeper than ${maxDepth}`;
      for (const key in value) {
        if (prototypeKeys.has(key)) return `it has a \`${key}\` key`;
        const item = value[key];
        if (typeof item === 'object' && item !== null) {
          values.push(item);
          depths.push(depth);
        }
      }
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'not a plain object' : `a ${typeof value}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number') return String(value);
  return kindOf(value);
}
