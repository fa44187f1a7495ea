import type { ServerResponse } from 'node:http';
import type { HeaderMap } from '../rfc9111/headers';

/**
 * An unsafe request's response ends once what it invalidates is invalidated (RFC 9111 §4.4):
 * res.end waits for `invalidate`, given the status and headers the handler set.
 */
export function endAfterInvalidation(
  res: ServerResponse,
  invalidate: (status: number, headers: HeaderMap) => Promise<void>,
): void {
  const { end } = res;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    res.end = end;
    void invalidate(res.statusCode, res.getHeaders()).then(() =>
      (end as (...a: unknown[]) => ServerResponse).apply(this, args),
    );
    return this;
  } as ServerResponse['end'];
}
