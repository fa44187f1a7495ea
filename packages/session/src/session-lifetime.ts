import { parseDuration, RediwareError } from '@rediware/core';
import { cookieExpiresAt } from './cookie-expiry';
import type { SessionTtl } from './options';
import { warnIfTtlLooksLikeSeconds } from './ttl-seconds-warning';

/**
 * How long a session is kept from now, in ms (0 or less: delete it). The `ttl` function decides
 * when there is one, as connect-redis 9's does (over the cookie); else the cookie's expiry; else
 * the `ttl` option.
 */
export function sessionLifetime<S extends object>(
  session: S,
  now: number,
  ttlMs: number,
  ttlFunction: SessionTtl<S> | undefined,
): number {
  if (ttlFunction !== undefined) return lifetimeFrom(ttlFunction(session));
  const expiresAt = cookieExpiresAt(session, now);
  return expiresAt === undefined ? ttlMs : expiresAt - now;
}

/** A `ttl` function's answer in ms: a number of ms (0 or less deletes) or a duration string. */
function lifetimeFrom(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) {
    warnIfTtlLooksLikeSeconds(value);
    return Math.ceil(value);
  }
  if (typeof value === 'string') {
    try {
      return parseDuration(value, 'ttl');
    } catch {
      // Reported below with the same code as any other unusable answer.
    }
  }
  throw new RediwareError(
    'ERR_RW_SESSION_TTL',
    `The \`ttl\` function returned ${describe(value)}; expected milliseconds or a duration string such as '30m' or '1d'.`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value instanceof Promise) return 'a promise (it must answer synchronously)';
  return value === null ? 'null' : typeof value === 'number' ? String(value) : typeof value;
}
