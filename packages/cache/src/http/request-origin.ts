/** The port a scheme implies: `example.com` and `example.com:443` over https are one origin. */
const defaultPorts: Readonly<Record<string, string>> = { http: ':80', https: ':443' };

/** Lower-cased, without the scheme's default port. */
export function normalisedHost(host: string, protocol: string): string {
  const lower = host.toLowerCase();
  const port = defaultPorts[protocol];
  return port !== undefined && lower.endsWith(port) ? lower.slice(0, -port.length) : lower;
}

/**
 * What a handler can build an absolute URL from, as the framework resolved it: the scheme and the
 * host (X-Forwarded-Proto and X-Forwarded-Host when the app trusts its proxy). Part of every key,
 * so a request for another host, or one whose forwarded host or scheme a client chose, never shares
 * an entry with the real site. The key is hashed, so an odd or long Host cannot break out of it.
 */
export function requestOrigin(protocol: string, host: string): string {
  const scheme = protocol.toLowerCase();
  return `${scheme}://${normalisedHost(host, scheme)}`;
}
