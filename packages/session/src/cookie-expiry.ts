/** The cookie fields a store reads: express-session's and @fastify/session's cookies both have them. */
interface CookieLike {
  expires?: Date | string | number | null;
  maxAge?: number | null;
}

function cookieOf(session: object): CookieLike | undefined {
  const cookie = (session as { cookie?: unknown }).cookie;
  return typeof cookie === 'object' && cookie !== null ? (cookie as CookieLike) : undefined;
}

/** The cookie's own `expires` in epoch ms, or undefined when it has none (null, absent or no date). */
export function cookieExpiresField(session: object): number | undefined {
  const expires = cookieOf(session)?.expires;
  if (expires === undefined || expires === null) return undefined;
  const ms = new Date(expires).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

/** The session cookie's expiry in epoch ms (its `expires`, else now + `maxAge`), or undefined for a cookie without one. */
export function cookieExpiresAt(session: object, now: number): number | undefined {
  const expires = cookieExpiresField(session);
  if (expires !== undefined) return expires;
  const maxAge = cookieOf(session)?.maxAge;
  if (typeof maxAge === 'number' && Number.isFinite(maxAge)) return now + maxAge;
  return undefined;
}
