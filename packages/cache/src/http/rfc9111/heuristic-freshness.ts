import type { HeaderMap } from './headers';
import { httpDate } from './response-age';

/** Longest heuristic freshness: one day, however old the Last-Modified is. */
export const heuristicCapMs = 24 * 60 * 60 * 1000;

/**
 * Heuristic freshness (RFC 9111 §4.2.2) for a response without explicit freshness: 10% of the
 * time since its Last-Modified (measured at its Date, or now without one), at most one day.
 * undefined when the response has no valid Last-Modified in the past.
 */
export function heuristicLifetimeMs(headers: HeaderMap, now: number): number | undefined {
  const lastModified = httpDate(headers['last-modified']);
  if (lastModified === undefined) return undefined;
  const since = (httpDate(headers.date) ?? now) - lastModified;
  if (since <= 0) return undefined;
  return Math.min(heuristicCapMs, Math.floor(since / 10));
}
