import type { ServerResponse } from 'node:http';

/**
 * Calls `closed` when the connection of the response closes, with whether the response had been
 * sent in full; at once (not sent) when it closed before this call: the client left while the
 * lookup ran, its 'close' has come and gone, and would never end the entry's flight (every later
 * request for the URL would wait on it).
 */
export function onResponseClosed(res: ServerResponse, closed: (finished: boolean) => void): void {
  res.once('close', () => closed(res.writableFinished));
  if (res.closed || res.destroyed) closed(false);
}
