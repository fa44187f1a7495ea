import { replayableHeaders } from '@rediware/core';
import createEtag from 'etag';
import type { CapturedResponse } from './body/capture';
import type { StoredEncoding } from './body/content-encoding';
import type { HeaderMap } from './rfc9111/headers';

/** A response as stored: status, end-to-end headers, and the body bytes. */
export interface StoredResponse {
  readonly status: number;
  /** Lower-case names; multi-valued headers as arrays. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** 'gzip': this cache compressed the body (the headers are the app's, without Content-Encoding). */
  readonly encoding: StoredEncoding;
  /** The age it arrived with (origin Age or Date); the Age sent adds the time stored. */
  readonly initialAgeMs: number;
  /** True when this cache made the ETag up (from the body): never sent to the handler as a validator. */
  readonly generatedEtag: boolean;
  readonly body: Buffer;
}

/** What a base key holds when the response varies: the request headers that pick the variant. */
export interface VaryIndex {
  readonly vary: readonly string[];
}

export type StoredEntry =
  | { readonly kind: 'response'; readonly response: StoredResponse }
  | ({ readonly kind: 'vary' } & VaryIndex);

/**
 * Beyond what no rediware plugin replays (core's `replayableHeaders`: hop-by-hop, Set-Cookie,
 * length, rate-limit headers), the ones this cache computes for every reply itself. Date is kept:
 * a stored response keeps the date it was generated at (RFC 9110 §6.6.1).
 */
const computedOnReply: ReadonlySet<string> = new Set(['age', 'x-cache']);

/** The headers a stored response keeps. */
export function storableHeaders(headers: HeaderMap): Record<string, string | string[]> {
  return replayableHeaders(headers, computedOnReply);
}

/** A response in its stored form, body as sent: end-to-end headers and an ETag (made up if none). */
export function storedForm(
  captured: CapturedResponse,
  initialAgeMs: number,
  dropSurrogate = false,
): StoredResponse {
  const headers = storableHeaders(captured.headers);
  if (dropSurrogate) delete headers['surrogate-control'];
  const generatedEtag = headers.etag === undefined;
  if (generatedEtag) headers.etag = createEtag(captured.body);
  return {
    status: captured.status,
    headers,
    encoding: 'identity',
    initialAgeMs,
    generatedEtag,
    body: captured.body,
  };
}

// Layout: one kind byte, a 4-byte length, JSON metadata, then the body bytes as they are.
const RESPONSE = 0x52; // 'R'
const VARY = 0x56; // 'V'

export function encodeResponse(response: StoredResponse): Buffer {
  const { status, headers, encoding, initialAgeMs, generatedEtag } = response;
  return frame(RESPONSE, { status, headers, encoding, initialAgeMs, generatedEtag }, response.body);
}

export function encodeVaryIndex(index: VaryIndex): Buffer {
  return frame(VARY, { vary: index.vary }, Buffer.alloc(0));
}

function frame(kind: number, meta: unknown, body: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const head = Buffer.alloc(5);
  head[0] = kind;
  head.writeUInt32BE(json.length, 1);
  return Buffer.concat([head, json, body]);
}

/** The entry, or undefined for bytes this cache did not write. */
export function decodeEntry(value: unknown): StoredEntry | undefined {
  if (!Buffer.isBuffer(value) || value.length < 5) return undefined;
  const length = value.readUInt32BE(1);
  if (5 + length > value.length) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(value.subarray(5, 5 + length).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null) return undefined;
  const fields = meta as Record<string, unknown>;
  if (value[0] === VARY && Array.isArray(fields.vary)) {
    return { kind: 'vary', vary: fields.vary.map(String) };
  }
  if (value[0] === RESPONSE && typeof fields.status === 'number' && typeof fields.headers === 'object') {
    return {
      kind: 'response',
      response: {
        status: fields.status,
        headers: fields.headers as StoredResponse['headers'],
        encoding: fields.encoding === 'gzip' ? 'gzip' : 'identity',
        initialAgeMs: typeof fields.initialAgeMs === 'number' ? fields.initialAgeMs : 0,
        generatedEtag: fields.generatedEtag === true,
        body: Buffer.from(value.subarray(5 + length)),
      },
    };
  }
  return undefined;
}
