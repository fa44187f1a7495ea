import { replayableHeaders } from '@rediware/core';

/**
 * Beyond what no rediware plugin replays (core's `replayableHeaders`: hop-by-hop, Set-Cookie,
 * Content-Length, a rate limiter's headers), the ones a replay sets itself: its own Date and the
 * replay marker.
 */
const setOnReplay: ReadonlySet<string> = new Set(['date', 'idempotent-replayed']);

/** The headers of a response that a replay sends again, lower-case names, string values. */
export function storedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  return replayableHeaders(headers, setOnReplay);
}
