import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { CapturedResponse } from '../body/capture';
import { forwardedHeaders, refreshHeaders, refreshTimeoutMs } from './refresh-request';

/**
 * A background refresh for stale-while-revalidate: the same GET, sent to the server that received
 * the request over loopback, so it runs through the app (middleware, handler) like the original.
 * Plain HTTP only: behind in-process TLS there is no refresh, and the first request past the stale
 * window runs the handler. Used by Express; Fastify injects the refresh instead (fastify/inject-refresh).
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
          headers: { ...forwarded, ...refreshHeaders(secret, origin) },
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
