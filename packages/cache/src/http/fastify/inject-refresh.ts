import type { FastifyRequest, LightMyRequestResponse as InjectedResponse } from 'fastify';
import type { CapturedResponse } from '../body/capture';
import { forwardedHeaders, refreshHeaders, refreshTimeoutMs } from '../node/refresh-request';
import { requestOrigin } from '../request-origin';

/**
 * A background refresh for stale-while-revalidate: the same GET, injected into the app in this
 * process (no socket, so it works behind TLS and for injected requests too), so it runs through
 * the app (hooks, handler) like the original.
 */
export function injectRefresh(
  request: FastifyRequest,
  secret: string,
): () => Promise<CapturedResponse | undefined> {
  const { server, url } = request;
  const forwarded = forwardedHeaders(request.headers);
  const origin = requestOrigin(request.protocol, request.host);
  // The client's peer address: the app's trustProxy then trusts the refresh as it trusted the request.
  const remoteAddress = request.socket?.remoteAddress;
  return () => {
    let timer: NodeJS.Timeout | undefined;
    // A hung handler must not keep the refresh (and close(), which waits for it) forever.
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, refreshTimeoutMs, undefined);
      timer.unref();
    });
    const refreshed = server
      .inject({
        method: 'GET',
        url,
        headers: { ...forwarded, ...refreshHeaders(secret, origin) },
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
      })
      .then(captured, () => undefined);
    return Promise.race([refreshed, timeout]).finally(() => clearTimeout(timer));
  };
}

function captured(response: InjectedResponse): CapturedResponse | undefined {
  // An answer from another cache instance (which does not know this secret): a stored response
  // must not be stored again as new.
  if (response.headers['x-cache'] !== undefined) return undefined;
  return { status: response.statusCode, headers: response.headers, body: response.rawPayload };
}
