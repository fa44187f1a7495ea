import { errorReplyOf } from './error-reply';

interface ErrorEventSource {
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  listenerCount(event: string): number;
}

/**
 * Why the client's connection attempts fail, when Redis refuses them. With a wrong or missing
 * password, node-redis and ioredis reconnect forever, and rediware's "reconnecting: fail at once"
 * would report an outage (and fail open) where Redis in fact refused us: the driver rejects with
 * the refusal instead, so it is classified as RedisRefusedError.
 */
export interface ConnectionRefusals {
  /** The refusal reply of the last failed attempt; undefined once connected or after another error. */
  readonly last: Error | undefined;
}

const byClient = new WeakMap<object, ConnectionRefusals>();

/**
 * One watcher per client, shared by every backend wrapping it. It listens to the client's `error`
 * events; when it is the only listener it does what the client would have done without it
 * (`onAlone`), so adding it changes nothing for an app that does not listen itself.
 */
export function connectionRefusalsOf(client: object, onAlone: (error: unknown) => void): ConnectionRefusals {
  const known = byClient.get(client);
  if (known !== undefined) return known;
  const refusals: { last: Error | undefined } = { last: undefined };
  byClient.set(client, refusals);
  if (!isErrorEventSource(client)) return refusals;
  client.on('error', (error) => {
    const reply = errorReplyOf(error);
    refusals.last = reply !== undefined && !reply.transient ? (error as Error) : undefined;
    if (client.listenerCount('error') === 1) onAlone(error);
  });
  client.on('ready', () => {
    refusals.last = undefined;
  });
  return refusals;
}

function isErrorEventSource(client: object): client is ErrorEventSource {
  const source = client as Partial<ErrorEventSource>;
  return typeof source.on === 'function' && typeof source.listenerCount === 'function';
}
