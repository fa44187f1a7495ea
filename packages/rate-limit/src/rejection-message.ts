import { RediwareError } from '@rediware/core';
import type { MaybePromise } from './maybe-promise';

/** What `message` may give: text, or an object sent as JSON. */
export type RateLimitMessageBody = string | Record<string, unknown>;

/** The `message` option: a body, or a function of the request that returns one (sync or async). */
export type RateLimitMessage<Req> = RateLimitMessageBody | ((req: Req) => MaybePromise<RateLimitMessageBody>);

/** A rejection's body and its type, as sent. */
export interface MessageBody {
  contentType: string;
  body: string;
}

/**
 * The body a `message` sends, as express-rate-limit sends it: a string as it is (text/plain, never
 * HTML: a message built from the request must not render as a page), anything else as JSON.
 */
export function messageBody(value: unknown): MessageBody {
  if (typeof value === 'string') return { contentType: 'text/plain; charset=utf-8', body: value };
  if (value !== null && typeof value === 'object') {
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
  }
  throw new RediwareError(
    'ERR_RW_RATE_LIMIT_MESSAGE',
    `The rate limit message must be a string or an object, received ${value === null ? 'null' : typeof value}.`,
  );
}
