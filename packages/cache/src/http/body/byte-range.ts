import type { IncomingHttpHeaders } from 'node:http';
import parseRange from 'range-parser';

/** One byte range of a stored body, as a 206 sends it. */
export interface ByteRange {
  readonly contentRange: string;
  readonly body: Buffer;
}

/**
 * The part of a stored 200's body that a GET's Range asks for (RFC 9110 §14), served by the cache
 * like the handler would. Undefined, and the whole response is sent (which §14.2 allows), for
 * anything but one satisfiable bytes range: several ranges, an unsatisfiable or malformed one, or
 * an If-Range that does not match the stored validator (strong ETag or the exact Last-Modified).
 */
export function byteRange(
  requestHeaders: IncomingHttpHeaders,
  stored: { readonly etag: string | undefined; readonly lastModified: string | undefined },
  body: Buffer,
): ByteRange | undefined {
  const range = requestHeaders.range;
  if (range === undefined) return undefined;
  const ifRange = [requestHeaders['if-range']].flat()[0];
  if (ifRange !== undefined && !ifRangeMatches(ifRange, stored)) return undefined;
  const ranges = parseRange(body.length, range, { combine: true });
  if (!Array.isArray(ranges) || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  const { start, end } = ranges[0] as parseRange.Range;
  return { contentRange: `bytes ${start}-${end}/${body.length}`, body: body.subarray(start, end + 1) };
}

function ifRangeMatches(
  ifRange: string,
  stored: { readonly etag: string | undefined; readonly lastModified: string | undefined },
): boolean {
  if (ifRange.startsWith('"') || ifRange.startsWith('W/'))
    return !ifRange.startsWith('W/') && ifRange === stored.etag;
  return ifRange === stored.lastModified;
}
