import type { HeaderValue } from './headers';

/** An HTTP-date in ms; undefined when absent or invalid. */
export function httpDate(value: HeaderValue): number | undefined {
  // Not split on commas: an HTTP-date has one.
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(String(text));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * How old the response already was when it reached this cache (RFC 9111 §4.2.3 corrected initial
 * age): the origin's Age or the time since its Date, whichever is more. undefined when Age is not
 * one non-negative integer (a list, a float, a parameter): such a response is treated as stale,
 * never as younger than it may be (what the http-cache-tests suite requires).
 */
export function initialAgeMs(
  headers: Readonly<Record<string, HeaderValue>>,
  now: number,
): number | undefined {
  const age = headers.age === undefined ? undefined : [headers.age].flat().join(',').trim();
  if (age !== undefined && !/^\d+$/.test(age)) return undefined;
  const ageMs = age === undefined ? 0 : Number(age) * 1000;
  const date = httpDate(headers.date);
  const apparentMs = date === undefined ? 0 : Math.max(0, now - date);
  return Math.max(ageMs, apparentMs);
}
