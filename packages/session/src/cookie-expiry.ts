/** The cookie fields a store reads: express-session's and @fastify/session's cookies both have them. */
interface CookieLike {
  expires?: Date | string | number | null;
  maxAge?: number | null;
}

/** The session cookie's expiry in epoch ms, or undefined for a cookie without one. */
export function cookieExpiresAt(session: object, now: number): number | undefined {
  const cookie = (session as { cookie?: unknown }).cookie;
  if (typeof cookie !== 'object' || cookie === null) return undefined;
  const { expires, maxAge } = cookie as CookieLike;
  if (expires !== undefined && expires !== null) {
    const ms = new Date(expires).getTime();
    if (Number.isFinite(ms)) return ms;
  }
  if (typeof maxAge === 'number' && Number.isFinite(maxAge)) return now + maxAge;
  return undefined;
}
