import type { ServerResponse } from 'node:http';
import type { Flight } from './in-flight';
import type { RouteConfig } from './options';
import { storedHeaders } from './replayable-headers';
import { captureResponse } from './response-capture';

/**
 * Holds the key while the handler answers `res`, then stores what it sent (a status the route
 * stores) or releases the key (any other status, so a retry runs the handler again), before the
 * response's end goes out. A client
 * that leaves does not release it: the handler may still be charging the card. Then the marker
 * is no longer extended, and expires after `lockTtl` unless the handler ends the response first.
 */
export function holdUntilAnswered<Req>(res: ServerResponse, flight: Flight, route: RouteConfig<Req>): void {
  captureResponse(res, route.maxBodySize, {
    gone: () => flight.stopExtending(),
    // A failure was reported as a `failure` event; the marker expires after lockTtl.
    ending: ({ status, headers, body }) =>
      route.storeStatus(status)
        ? flight.complete(
            { status, headers: storedHeaders(headers), body: body ?? Buffer.alloc(0) },
            route.ttlMs,
          )
        : flight.release(),
  });
}
