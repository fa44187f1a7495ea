/**
 * Statuses that are heuristically cacheable (RFC 9110 §15.1), less 206: this cache stores no
 * partial content. Responses with one of them, and no explicit freshness, get the default `ttl`
 * or, with `ttl: 0`, heuristic freshness.
 */
export const heuristicStatuses: readonly number[] = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501];

/**
 * The statuses whose caching requirements this cache knows (those RFC 9110 defines, less 206):
 * a response with `Cache-Control: must-understand` and any other status is not stored (RFC 9111
 * §5.2.2.3).
 */
const understood = new Set([
  200, 201, 202, 203, 204, 205, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406,
  407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 426, 500, 501, 502, 503, 504, 505,
]);

export function understoodStatus(status: number): boolean {
  return understood.has(status);
}

/** A final status this cache may store at all: not informational, partial content or 304. */
export function finalStatus(status: number): boolean {
  return status >= 200 && status <= 599 && status !== 206 && status !== 304;
}
