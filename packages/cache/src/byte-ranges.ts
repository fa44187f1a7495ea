import type { IncomingHttpHeaders } from 'node:http';
import parseRange from 'range-parser';

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The one byte range of a stored complete response a Range request asks for (RFC 9110 §14), or
 * undefined to answer with the whole body (a server may ignore Range): no Range, several ranges,
 * an unsatisfiable or malformed one, or an If-Range that does not match the stored ETag (strong
 * comparison) or Last-Modified.
 */
export function requestedRange(
  request: IncomingHttpHeaders,
  stored: Readonly<Record<string, string | string[]>>,
  size: number,
): ByteRange | undefined {
  const range = first(request.range);
  if (range === undefined || size === 0) return undefined;
  const ifRange = first(request['if-range']);
  if (ifRange !== undefined && !matches(ifRange, stored)) return undefined;
  const ranges = parseRange(size, range, { combine: true });
  if (!Array.isArray(ranges) || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  const [only] = ranges;
  return only && { start: only.start, end: only.end };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function matches(ifRange: string, stored: Readonly<Record<string, string | string[]>>): boolean {
  const etag = stored.etag;
  if (ifRange.startsWith('"')) return typeof etag === 'string' && etag === ifRange;
  return typeof stored['last-modified'] === 'string' && stored['last-modified'] === ifRange;
}
