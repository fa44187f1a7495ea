import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { CapturedResponse } from './body/capture';

/** Marks a background refresh request; its value is a per-instance secret no client can guess. */
export const refreshHeader = 'x-rediware-cache-refresh';

/**
 * The origin (scheme and host) of the entry being refreshed. A refresh that resolves another one
 * (a proxy the app trusts for the client but not for this loopback request) marks its response
 * X-Cache: BYPASS, and it is not stored: it would put another host's links into the entry.
 */
export const refreshOriginHeader = 'x-rediware-cache-origin';

/** The engine's default loader lock ttl: past it another request refreshes anyway. */
export const refreshTimeoutMs = 10_000;

/**
 * Request headers a refresh leaves out: hop-by-hop ones, and the client's conditionals, which
 * would get a 304 or a part instead of the full response to store.
 */
const notForwarded = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
  'if-range',
  'range',
]);

/** The client's request headers a refresh repeats. */
export function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const forwarded: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !notForwarded.has(name)) forwarded[name] = value;
  return forwarded;
}

/**
 * A background refresh for stale-while-revalidate: the same GET, sent to the server that received
 * the request over loopback, so it runs through the app (middleware, handler) like the original.
 * Plain HTTP only: behind in-process TLS there is no refresh, and the first request past the stale
 * window runs the handler. Used by Express; Fastify injects the refresh instead (in-process-refresh).
 */
export function loopbackRefresh(
  socket: Socket,
  url: string,
  headers: IncomingHttpHeaders,
  secret: string,
  origin: string,
): (() => Promise<CapturedResponse | undefined>) | undefined {
  const { localAddress, localPort } = socket;
  if ((socket as TLSSocket).encrypted || localAddress === undefined || localPort === undefined)
    return undefined;
  const forwarded = forwardedHeaders(headers);
  return () =>
    new Promise((resolve) => {
      const outgoing = httpRequest(
        {
          host: localAddress,
          port: localPort,
          method: 'GET',
          path: url,
          headers: { ...forwarded, [refreshHeader]: secret, [refreshOriginHeader]: origin },
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.once('end', () => {
            // An answer from a cache (another process behind the same port, e.g. node:cluster,
            // which does not know this secret): a stored response must not be stored again as new.
            if (incoming.headers['x-cache'] !== undefined) resolve(undefined);
            else
              resolve({
                status: incoming.statusCode ?? 0,
                headers: incoming.headers,
                body: Buffer.concat(chunks),
              });
          });
          incoming.once('error', () => resolve(undefined));
        },
      );
      outgoing.once('error', () => resolve(undefined));
      // A hung handler must not keep the refresh (and close(), which waits for it) forever.
      outgoing.setTimeout(refreshTimeoutMs, () => {
        outgoing.destroy();
        resolve(undefined);
      });
      outgoing.end();
    });
}
