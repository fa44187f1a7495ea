import type { IncomingHttpHeaders } from 'node:http';
import type { CapturedResponse } from './body/capture';
import { representationFor } from './body/content-encoding';
import type { HeaderMap } from './rfc9111/headers';
import { decodeEntry, type StoredResponse } from './stored-response';

/** Conditional request headers: a client sending one asked its own question; the cache adds none. */
const clientConditionals = [
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
];

/**
 * Headers a 304 does not update in the stored response (RFC 9111 §3.2): Content-Length, and those
 * that describe the stored body itself (its encoding, range, digest, and its validator, which the
 * 304 matched). Everything else the 304 carries replaces the stored value.
 */
const keptOnUpdate = new Set(['content-length', 'content-encoding', 'content-range', 'content-md5', 'etag']);

/** A 304's Set-Cookie is its own client's (passed on to it), never part of the stored response. */
const neverStored = 'set-cookie';

/** A stale stored response the handler is asked to confirm, and the conditional headers asking it. */
export interface Revalidation {
  readonly stored: StoredResponse;
  readonly conditionals: Readonly<Record<string, string>>;
}

/**
 * The revalidation of the entry a loader found (RFC 9111 §4.3.1): If-None-Match with the stored
 * ETag (unless this cache made it up) and If-Modified-Since with its Last-Modified. Undefined when
 * there is nothing to revalidate: no previous response, no validator from the handler, a HEAD,
 * or a client that sent a conditional of its own (its answer is the handler's, passed through).
 */
export function revalidationOf(
  previous: unknown,
  method: string,
  headers: IncomingHttpHeaders,
): Revalidation | undefined {
  if (method !== 'GET' || clientConditionals.some((name) => headers[name] !== undefined)) return undefined;
  const entry = decodeEntry(previous);
  if (entry?.kind !== 'response') return undefined;
  const stored = entry.response;
  const conditionals: Record<string, string> = {};
  const etag = stored.headers.etag;
  if (typeof etag === 'string' && !stored.generatedEtag) conditionals['if-none-match'] = etag;
  const lastModified = stored.headers['last-modified'];
  if (typeof lastModified === 'string') conditionals['if-modified-since'] = lastModified;
  return Object.keys(conditionals).length === 0 ? undefined : { stored, conditionals };
}

/**
 * The stored response freshened by the handler's 304 (RFC 9111 §4.3.4): the stored status and
 * body (decompressed, to be stored again), the stored headers updated from the 304's. A made-up
 * ETag is left out, to be made again from the same body.
 */
export async function freshened(
  stored: StoredResponse,
  notModified: CapturedResponse,
): Promise<CapturedResponse> {
  const headers: Record<string, HeaderMap[string]> = { ...stored.headers };
  if (stored.generatedEtag) delete headers.etag;
  for (const [name, value] of Object.entries(notModified.headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && !keptOnUpdate.has(lower) && lower !== neverStored) headers[lower] = value;
  }
  const { body } = await representationFor(stored.headers, stored.body, stored.encoding, 'identity');
  return { status: stored.status, headers, body };
}
