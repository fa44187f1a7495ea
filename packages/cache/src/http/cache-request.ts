import type { IncomingHttpHeaders } from 'node:http';
import type { CapturedResponse } from './body/capture';

/** The parts of a request the response cache looks at. */
export interface CacheRequest<Req> {
  readonly req: Req;
  readonly method: string;
  /** The request target: path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The scheme as the framework resolved it (X-Forwarded-Proto behind a trusted proxy). */
  readonly protocol: string;
  /** The host as the framework resolved it (X-Forwarded-Host behind a trusted proxy), port included. */
  readonly host: string;
  /**
   * Runs the handler again for this request without a client (for a background refresh under
   * stale-while-revalidate) and resolves with its response; absent: stale entries are not refreshed
   * in the background, the first request past the stale window runs the handler.
   */
  readonly refresh?: (() => Promise<CapturedResponse | undefined>) | undefined;
}

/** A stored response ready to send: status, headers (X-Cache and Age included) and body. */
export interface CachedReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Undefined for 304: send no body. (HEAD gets the body; the server drops it.) */
  readonly body: Buffer | undefined;
}
