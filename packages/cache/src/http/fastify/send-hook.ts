import { PassThrough, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { BodyCollector, type CapturedResponse } from '../body/capture';
import type { HandlerRun } from '../cache-decision';
import type { CachedReply } from '../cache-request';
import { withoutOwnHeaders } from '../node/own-headers';
import { refreshHeader } from '../node/refresh-request';
import { onResponseClosed } from '../node/response-closed';
import type { HeaderMap } from '../rfc9111/headers';
import { isUnsafeMethod } from '../unsafe-invalidation';

/** Per request: the response is being captured for the cache. */
interface Capturing {
  readonly run: HandlerRun;
  /** Headers set on the reply before the cache's handler: this request's, never stored. */
  readonly own: ReadonlySet<string>;
  finished: boolean;
}

/** The requests whose responses the Fastify plugin's onSend hook hands to the cache. */
export type Captures = WeakMap<FastifyRequest, Capturing>;

/** From now on the reply of `request` goes to `run.store` when sent, or undefined when the client left. */
export function startCapture(
  captures: Captures,
  request: FastifyRequest,
  reply: FastifyReply,
  run: HandlerRun,
  own: ReadonlySet<string>,
): void {
  const state: Capturing = { run, own, finished: false };
  captures.set(request, state);
  // A request that ends without a response (client gone) releases the entry to the next one.
  onResponseClosed(reply.raw, () => void finishOnce(state, undefined));
}

/** What the onSend hook does besides capturing: invalidate after an unsafe request, drop headers. */
export interface SendHookOptions {
  readonly invalidateAfter: (request: FastifyRequest, status: number, headers: HeaderMap) => Promise<void>;
  /** Headers addressed to this cache (Surrogate-Control), dropped from what goes downstream. */
  readonly dropped: readonly string[];
  readonly refreshSecret: string;
}

/**
 * The route's last onSend hook: an unsafe request's response goes out once what it invalidates is
 * invalidated (RFC 9111 §4.4); a captured response is handed to the cache, which may answer with a
 * stored response to send instead (stale-if-error).
 */
export function sendHook(captures: Captures, options: SendHookOptions): onSendHookHandler {
  const { invalidateAfter, dropped, refreshSecret } = options;
  /** Surrogate-Control is dropped, except from a background refresh's response: the cache gets it whole. */
  const drop = (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers[refreshHeader] !== refreshSecret)
      for (const name of dropped) reply.removeHeader(name);
  };
  const storeAsync = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (isUnsafeMethod(request.method)) await invalidateAfter(request, reply.statusCode, reply.getHeaders());
    const state = captures.get(request);
    if (!state) {
      drop(request, reply);
      return payload;
    }
    captures.delete(request);
    const { run, own } = state;
    const headers = withoutOwnHeaders(reply.getHeaders(), own);
    drop(request, reply);
    if (!run.willStore(reply.statusCode, headers)) reply.header('x-cache', 'BYPASS');
    const collector = new BodyCollector(run.maxBodySize);
    if (isStream(payload)) return teeStream(payload, collector, state, reply, headers);
    collector.push(payload);
    const body = collector.body();
    const stale = await finishOnce(
      state,
      body === undefined ? undefined : { status: reply.statusCode, headers, body },
    );
    if (!stale) return payload;
    // The handler failed and stale-if-error allows the stored response: it replaces the error.
    for (const name of Object.keys(reply.getHeaders())) if (!own.has(name)) reply.removeHeader(name);
    reply.code(stale.status).headers(withoutOwnHeaders(stale.headers, own));
    return stale.body;
  };
  // Callback style: a response the cache has nothing to do with (a hit, a bypass) passes in this turn.
  return (request, reply, payload, done) => {
    if (isUnsafeMethod(request.method) || captures.has(request)) {
      storeAsync(request, reply, payload).then((sent) => done(null, sent), done);
      return;
    }
    drop(request, reply);
    done(null, payload);
  };
}

function finishOnce(
  state: Capturing,
  response: CapturedResponse | undefined,
): Promise<CachedReply | undefined> {
  if (state.finished) return Promise.resolve(undefined);
  state.finished = true;
  return state.run.store(response);
}

function isStream(payload: unknown): payload is Readable {
  return typeof payload === 'object' && payload !== null && typeof (payload as Readable).pipe === 'function';
}

/** Passes a streamed body through while collecting it; the cache gets it when the stream ends. */
function teeStream(
  source: Readable,
  collector: BodyCollector,
  state: Capturing,
  reply: FastifyReply,
  headers: HeaderMap,
): Readable {
  const tee = new PassThrough();
  source.on('data', (chunk: unknown) => collector.push(chunk));
  source.once('end', () => {
    const body = collector.body();
    void finishOnce(state, body === undefined ? undefined : { status: reply.statusCode, headers, body });
  });
  source.once('error', (error) => {
    void finishOnce(state, undefined);
    tee.destroy(error);
  });
  source.pipe(tee);
  return tee;
}
