import { storedHeaders } from './replayable-headers';
import type { StoredResponse } from './stored-response';

/**
 * What a stored record must look like before it is replayed: the one place, with the begin
 * script's Lua twin, that decides whether a record is corrupt. The scripts only ever write a hash
 * with a state, a fingerprint and an expiry, and once done an HTTP status, headers as a JSON object
 * and a body; anything else was written by someone else and is taken over as if absent (a replay
 * of it would throw in the framework: a 500 on every retry of the key, or worse).
 */

/** A header name as Node's `setHeader` accepts it (an RFC 9110 token). */
const tokenName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A header value as Node's `setHeader` accepts it: no control character but tab. */
const fieldValue = /^[\t\x20-\x7e\x80-\xff]*$/;

const isFieldValue = (value: unknown): value is string => typeof value === 'string' && fieldValue.test(value);

/**
 * The stored headers, or undefined when they are no JSON object of header fields: names that are
 * tokens (never `__proto__`, which a framework's header object would take for its prototype),
 * values that are strings or non-empty arrays of strings Node would send. What no replay carries
 * (hop-by-hop, Set-Cookie, Content-Length...) is dropped, as when it was stored.
 */
export function decodeStoredHeaders(json: string): StoredResponse['headers'] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__proto__' || !tokenName.test(name)) return undefined;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every(isFieldValue)) return undefined;
  }
  return storedHeaders(parsed as Record<string, unknown>);
}

/**
 * The memory twin of the begin script's `corruption()`: why a value under a record's key is not
 * a record this package wrote, or undefined when it is one. `ttlLeft` is its PTTL.
 */
export function memoryRecordCorruption(
  found: unknown,
  ttlLeft: number,
  corruptHeaders: string | undefined,
): string | undefined {
  if (typeof found !== 'object' || found === null || Array.isArray(found)) {
    return `the key holds a ${Array.isArray(found) ? 'list' : typeof found}, not a hash`;
  }
  const record = found as Record<string, unknown>;
  if (record.state !== 'running' && record.state !== 'done') return 'its state is neither running nor done';
  if (typeof record.fingerprint !== 'string') return 'it has no fingerprint';
  if (record.state === 'running') return ttlLeft < 0 ? 'its in-flight marker never expires' : undefined;
  if (typeof record.status !== 'string' || !/^[2-5]\d\d$/.test(record.status))
    return 'its status is no HTTP status';
  if (typeof record.headers !== 'string' || record.headers === corruptHeaders) {
    return 'its headers are no JSON object of header fields';
  }
  if (!Buffer.isBuffer(record.body)) return 'it has no body';
  return undefined;
}
