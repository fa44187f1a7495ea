import type { Request } from 'express';

/** What Express compiles from the app's `trust proxy` setting (Express 4 and 5 alike). */
type TrustProxy = (address: string | undefined, hop: number) => boolean;

/**
 * The host a handler sees, port included: X-Forwarded-Host when the app trusts the proxy that sent
 * the request, else Host. It is Express 5's `req.host`, computed as Express does it, because
 * Express 4's `req.host` is a deprecated `req.hostname`, which drops the port.
 */
export function expressHost(req: Request): string {
  const forwarded = req.headers['x-forwarded-host'];
  if (typeof forwarded === 'string' && forwarded !== '') {
    const trust = req.app.get('trust proxy fn') as TrustProxy | undefined;
    if (trust?.(req.socket.remoteAddress, 0)) {
      const comma = forwarded.indexOf(',');
      return comma === -1 ? forwarded : forwarded.slice(0, comma).trimEnd();
    }
  }
  return req.headers.host ?? '';
}
