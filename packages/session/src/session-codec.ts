import * as crypto from 'node:crypto';
import { RediwareError } from '@rediware/core';
import { decryptRecord, type EncryptionKey, encryptRecord } from './encryption';
import type { Serializer } from './options';
import { CorruptSessionError, checkSessionShape, isEpochMs, unsafeDataReason } from './session-shape';

/**
 * Cookie fields that are not stored inside the data: a cookie's expiry lives beside it (see
 * SessionRecord), and @fastify/session derives `originalExpires` from it again on load. Keeping
 * them out also makes the data of an unchanged session byte-identical from request to request.
 * `_expires` is where express-session's Cookie keeps `expires`: a stored one would outlive it.
 * An `expires` of null (a browser-session cookie) never moves, so it stays in the data, and a
 * read gives back exactly the cookie that was saved.
 */
const derivedExpiryFields = ['originalExpires', '_expires'];

export interface Decoded {
  session: object;
  /** As Encoded's: the same session gives the same digest. */
  digest: string;
}

export interface Encoded {
  /** What is stored: serialized, then encrypted when keys are configured. */
  payload: string;
  /**
   * Tells an unchanged session from a changed one: the serialized session itself when short and
   * not encrypted, else its SHA-256. Empty when the codec keeps no fingerprints (nothing compares
   * them without `touchAfter`).
   */
  digest: string;
}

/** Serializes, encrypts and fingerprints sessions, and reverses it. */
export class SessionCodec {
  readonly #serializer: Serializer;
  readonly #keys: readonly EncryptionKey[] | undefined;
  readonly #fingerprints: boolean;

  constructor(serializer: Serializer, keys: readonly EncryptionKey[] | undefined, fingerprints: boolean) {
    this.#serializer = serializer;
    this.#keys = keys;
    this.#fingerprints = fingerprints;
  }

  /**
   * Throws a RediwareError for data a read would refuse as corrupt, rather than store it. A
   * promise only when the serializer's `stringify` returned one.
   */
  encode(session: object, storageId: string): Encoded | Promise<Encoded> {
    const stored = withoutExpiry(session);
    const unsafe = unsafeDataReason(stored);
    if (unsafe !== undefined) {
      throw new RediwareError(
        'ERR_RW_SESSION_DATA',
        `The session cannot be stored: ${unsafe}, so it would be read back as corrupt (no session).`,
      );
    }
    const text = this.#serializer.stringify(stored);
    return isThenable(text)
      ? Promise.resolve(text).then((awaited) => this.#encoded(awaited, storageId))
      : this.#encoded(text, storageId);
  }

  #encoded(text: unknown, storageId: string): Encoded {
    if (typeof text !== 'string') throw new TypeError('The session serializer must return a string.');
    const payload = this.#keys === undefined ? text : encryptRecord(text, this.#keys, storageId);
    return { payload, digest: this.#digestOf(text) };
  }

  /**
   * Throws (or rejects) when the record cannot be decrypted or parsed, or is no session both
   * frameworks can load (see checkSessionShape): the caller treats it as no session. A promise
   * only when the serializer's `parse` returned one.
   */
  decode(
    payload: string,
    storageId: string,
    expiresAt: number | undefined,
    now: number,
  ): Decoded | Promise<Decoded> {
    if (expiresAt !== undefined && !isEpochMs(expiresAt)) {
      throw new CorruptSessionError('its `expires` field is not a time in epoch ms');
    }
    const text = this.#keys === undefined ? payload : decryptRecord(payload, this.#keys, storageId);
    const parsed = this.#serializer.parse(text);
    return isThenable(parsed)
      ? Promise.resolve(parsed).then((session) => this.#decoded(session, text, expiresAt, now))
      : this.#decoded(parsed, text, expiresAt, now);
  }

  #decoded(session: unknown, text: string, expiresAt: number | undefined, now: number): Decoded {
    checkSessionShape(session, now);
    const { cookie } = session;
    for (const field of derivedExpiryFields) delete cookie[field];
    // An ISO string, as JSON would have stored the Date; both frameworks turn it back into one.
    // Without a stored expiry the cookie is left as saved (`expires: null`, or none at all).
    if (expiresAt !== undefined) cookie.expires = new Date(expiresAt).toISOString();
    return { session, digest: this.#digestOf(text) };
  }

  #digestOf(text: string): string {
    if (!this.#fingerprints) return '';
    // Comparing a short text costs less than hashing it (SHA-256 was ~6% of a read's CPU), and
    // no serialized object equals a 43-character hash. Encrypted sessions are never kept in clear.
    if (text.length <= maxTextFingerprint && this.#keys === undefined) return text;
    return sha256(text);
  }
}

/** Sessions serialized to at most this many characters are their own fingerprint (the memory held is bounded by `touchAfter`'s map). */
const maxTextFingerprint = 512;

const sha256: (text: string) => string =
  // One-shot hashing (Node 20.12+) skips the Hash object; read off the namespace, so that an
  // older Node, which lacks it, still loads this module.
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');

/** A promise, or anything else a serializer may return that `await` would wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A plain copy of the session whose cookie carries no expiry; the caller's objects are untouched. */
function withoutExpiry(session: object): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(session)) {
    const value = (session as Record<string, unknown>)[key];
    // Assigning `__proto__` would set the copy's prototype: defined, it stays a key (refused).
    if (key === '__proto__') Object.defineProperty(copy, key, { value, enumerable: true, writable: true });
    else copy[key] = value;
  }
  const cookie = copy.cookie;
  if (typeof cookie === 'object' && cookie !== null) {
    const json = 'toJSON' in cookie && typeof cookie.toJSON === 'function' ? cookie.toJSON() : { ...cookie };
    const stored: Record<string, unknown> = { ...(json as Record<string, unknown>) };
    for (const field of derivedExpiryFields) delete stored[field];
    if (stored.expires !== null) delete stored.expires;
    copy.cookie = stored;
  }
  return copy;
}
