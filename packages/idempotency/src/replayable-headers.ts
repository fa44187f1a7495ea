/**
 * Headers never stored: this response's cookies (a replay must not log another client in or
 * hand out the first one's session), its date, the connection's own headers, and the length
 * (set again from the stored body).
 */
export const unreplayedHeaders: ReadonlySet<string> = new Set([
  'set-cookie',
  'date',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'idempotent-replayed',
]);

/** The headers of a response that a replay sends again, lower-case names, string values. */
export function replayableHeaders(
  headers: Readonly<Record<string, unknown>>,
): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (unreplayedHeaders.has(lower) || value === undefined) continue;
    kept[lower] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return kept;
}
