import type { ServerResponse } from 'node:http';
import { BodyCollector } from '../body/capture';
import type { HandlerRun } from '../cache-decision';
import type { HeaderMap } from '../rfc9111/headers';
import { withoutOwnHeaders } from './own-headers';
import { sendReply } from './reply-writer';
import { onResponseClosed } from './response-closed';

/**
 * Tees what the handler writes to a Node response into a collector, and hands the response to
 * the cache when it ends. A 5xx the cache will not store is held back before anything is sent:
 * the cache answers whether a stale response (within stale-if-error) replaces it, else it goes out
 * as the handler wrote it. So is the 304 confirming a revalidated entry: the stored response,
 * freshened, replaces it. `own`: the headers set before the cache, this request's, never stored.
 */
export function captureResponse(res: ServerResponse, run: HandlerRun, own: ReadonlySet<string>): void {
  const collector = new BodyCollector(run.maxBodySize);
  const { write, end, writeHead } = res;
  const ownless = (extra?: unknown): HeaderMap =>
    withoutOwnHeaders({ ...res.getHeaders(), ...lowerCased(extra) }, own);
  let decided = false;
  /** The headers as the handler set them, read before writeHead drops any. */
  let written: HeaderMap | undefined;
  let finished = false;
  /** Calls queued while a 5xx is held; undefined when nothing is held. */
  let held: (() => void)[] | undefined;
  let replaced = false;
  const hold = (status: number): void => {
    finished = true;
    held = [];
    void run.store({ status, headers: ownless(), body: Buffer.alloc(0) }).then((stale) => {
      const queued = held ?? [];
      held = undefined;
      if (stale && !res.headersSent) {
        replaced = true;
        for (const name of res.getHeaderNames()) if (!own.has(name)) res.removeHeader(name);
        sendReply(res, stale, own, end);
        return;
      }
      if (!res.headersSent) res.setHeader('X-Cache', 'BYPASS');
      for (const call of queued) call();
    });
  };
  /** Whether this call is swallowed (replaced) or queued (held), instead of running now. */
  const deferred = (status: number, call: () => void, headers?: HeaderMap): boolean => {
    if (replaced) return true;
    const pending = held === undefined && !finished && !res.headersSent;
    const failed = status >= 500 && !run.willStore(status, headers ?? ownless());
    if (pending && (failed || (status === 304 && run.revalidating))) hold(status);
    if (held === undefined) return false;
    held.push(call);
    return true;
  };
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
    const extra =
      typeof args[1] === 'object' && args[1] !== null && !Array.isArray(args[1]) ? args[1] : args[2];
    const headers = ownless(extra);
    const call = () => (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    // Once replaced, the only writeHead is the stale reply's own (through end's implicit header).
    if (!replaced && deferred(status, call, headers)) return this;
    if (!decided && !replaced) {
      decided = true;
      written = headers;
      if (!run.willStore(status, headers)) res.setHeader('X-Cache', 'BYPASS');
    }
    return call();
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    if (deferred(res.statusCode, () => (write as (...a: unknown[]) => boolean).apply(this, args)))
      return true;
    collector.push(args[0], typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (deferred(res.statusCode, () => (end as (...a: unknown[]) => ServerResponse).apply(this, args)))
      return this;
    if (typeof args[0] !== 'function')
      collector.push(args[0], typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined);
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
  const finish = (complete: boolean): void => {
    if (finished) return;
    finished = true;
    const body = complete ? collector.body() : undefined;
    void run.store(
      body === undefined ? undefined : { status: res.statusCode, headers: written ?? ownless(), body },
    );
  };
  res.once('finish', () => finish(true));
  onResponseClosed(res, finish);
}

/** Headers passed to writeHead, lower-cased like the ones res.getHeaders() returns. */
function lowerCased(headers: unknown): HeaderMap {
  const result: Record<string, string | number | readonly string[]> = {};
  if (typeof headers !== 'object' || headers === null) return result;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string' || typeof value === 'number' || Array.isArray(value))
      result[name.toLowerCase()] = value as string | number | readonly string[];
  }
  return result;
}
