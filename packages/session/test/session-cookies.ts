import type { Framework } from './app-worker';

/**
 * The signed session id `<id>.<signature>` out of a Set-Cookie header. Both apps sign with the
 * same secret and the same HMAC; express-session only adds an `s:` in front and URL-encodes it.
 */
export function signedIdFrom(setCookie: string | null): string | undefined {
  const match = /^(?:connect\.sid|sessionId)=([^;]*)/.exec(setCookie ?? '');
  if (match === null) return undefined;
  return decodeURIComponent(match[1] as string).replace(/^s:/, '');
}

/** The Cookie header that carries `signedId` to an app of `framework`, URL-encoded as both send it. */
export function cookieFor(framework: Framework, signedId: string): string {
  return framework === 'express'
    ? `connect.sid=${encodeURIComponent(`s:${signedId}`)}`
    : `sessionId=${encodeURIComponent(signedId)}`;
}
