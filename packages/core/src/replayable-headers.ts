import { rateLimitHeaderNames } from './rate-limit-header-names';

/**
 * Headers a stored response never replays, whichever plugin stored it (the response cache,
 * idempotency): hop-by-hop ones (RFC 9110 §7.6.1), Set-Cookie (a replay must not hand one client's
 * cookies to another), Content-Length (set again from the stored body) and a rate limiter's
 * headers (they describe the one request that was limited; the limiter sets fresh ones on each).
 */
const neverReplayed: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'content-length',
  'set-cookie',
  ...rateLimitHeaderNames,
]);

/**
 * The headers of a response that a later replay may send again: lower-case names, string values,
 * without those never replayed, those its Connection header names, and `alsoDropped` (the
 * replaying plugin's own, lower-case).
 */
export function replayableHeaders(
  headers: Readonly<Record<string, unknown>>,
  alsoDropped: ReadonlySet<string> = new Set(),
): Record<string, string | string[]> {
  const connection = new Set(
    String(headers.connection ?? headers.Connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase()),
  );
  const kept: Record<string, string | string[]> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (value === undefined || neverReplayed.has(name) || alsoDropped.has(name) || connection.has(name))
      continue;
    kept[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return kept;
}
