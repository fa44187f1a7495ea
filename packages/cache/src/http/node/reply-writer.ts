import type { ServerResponse } from 'node:http';
import type { CachedReply } from '../cache-request';

/** A reply from L1, sent at once: headers set before the cache (by earlier middleware) win over the stored ones. */
export function sendLocalReply(res: ServerResponse, reply: CachedReply): void {
  res.statusCode = reply.status;
  for (const name in reply.headers) {
    if (!res.hasHeader(name)) res.setHeader(name, reply.headers[name] as string | string[]);
  }
  res.end(reply.body);
}

/**
 * A stored reply in place of the handler's: `own`, this request's headers (set before the cache),
 * are kept; `end`: the unpatched one when the response capture has replaced res.end.
 */
export function sendReply(
  res: ServerResponse,
  reply: CachedReply,
  own: ReadonlySet<string>,
  end: ServerResponse['end'] = res.end,
): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers))
    if (!own.has(name.toLowerCase())) res.setHeader(name, value);
  (end as (body?: Buffer) => ServerResponse).call(res, reply.body);
}
