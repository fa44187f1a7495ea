import type { Request } from 'express';

/**
 * express-rate-limit's proxy validations, as process warnings fired once per process each: a
 * limit keyed on the client IP is only as good as the app's `trust proxy` setting.
 */
const warned = new Set<string>();
const codes = ['RW_TRUST_PROXY_PERMISSIVE', 'RW_UNTRUSTED_FORWARDED_FOR'] as const;

const help = 'https://expressjs.com/en/guide/behind-proxies.html';

/** Checks one request's proxy setup; does nothing once both warnings went out. */
export function warnProxyMisconfiguration(req: Request, trustsProxy: boolean): void {
  if (warned.size === codes.length || req.app === undefined) return;
  if (req.app.get('trust proxy') === true) {
    warnOnce(
      'RW_TRUST_PROXY_PERMISSIVE',
      "@rediware/rate-limit: the app trusts every proxy ('trust proxy' is true), so any client picks its own IP with X-Forwarded-For and escapes a limit keyed on it. " +
        `Trust the number of proxies in front of the app, app.set('trust proxy', 1), or their addresses: ${help}`,
    );
  } else if (!trustsProxy && req.headers['x-forwarded-for'] !== undefined) {
    warnOnce(
      'RW_UNTRUSTED_FORWARDED_FOR',
      "@rediware/rate-limit: a request carries X-Forwarded-For, but the app trusts no proxy ('trust proxy' is false), so every client behind the proxy shares its address and one limit. " +
        `Behind a proxy, app.set('trust proxy', 1) (the number of proxies): ${help}`,
    );
  }
}

function warnOnce(code: (typeof codes)[number], message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  process.emitWarning(message, { code });
}
