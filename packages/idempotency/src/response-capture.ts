import type { ServerResponse } from 'node:http';

/** What the handler sent, as far as it is kept. */
export interface CapturedResponse {
  readonly status: number;
  /** Every header sent, lower-case names (set before the response or passed to writeHead). */
  readonly headers: Readonly<Record<string, unknown>>;
  /** The body, or undefined when it was larger than `maxBodySize` (not kept). */
  readonly body: Buffer | undefined;
}

/** What captureResponse reports. */
export interface CaptureListener {
  /**
   * The handler ended the response (also after the client left); called once. The response's
   * end goes out once the returned promise settles.
   */
  ending(response: CapturedResponse): Promise<unknown>;
  /** The client left before the response was ended: the handler may still end it. */
  gone(): void;
}

/**
 * Tees what the handler writes to a Node response (Express's `res`, Fastify's `reply.raw`) up to
 * `maxBodySize` bytes, and reports it when the handler ends the response, holding the end back
 * until the report is done: a client that has the whole response (and retries at once) never
 * finds the key still in flight.
 */
export function captureResponse(res: ServerResponse, maxBodySize: number, listener: CaptureListener): void {
  const { write, end, writeHead } = res;
  const chunks: Buffer[] = [];
  let size = 0;
  let written: Record<string, unknown> | undefined;
  let ending = false;
  const keep = (chunk: unknown, encoding: unknown): void => {
    if (size > maxBodySize || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size <= maxBodySize) chunks.push(bytes);
  };
  const onClose = (): void => {
    if (!ending) listener.gone();
  };
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const extra = [args[1], args[2]].find(
      (arg) => typeof arg === 'object' && arg !== null && !Array.isArray(arg),
    );
    written = { ...res.getHeaders(), ...lowerCased(extra as Record<string, unknown> | undefined) };
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    keep(args[0], args[1]);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    const send = () => (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    ending = true;
    res.end = end;
    res.removeListener('close', onClose);
    keep(args[0], args[1]);
    const response = {
      status: res.statusCode,
      headers: written ?? res.getHeaders(),
      body: size > maxBodySize ? undefined : Buffer.concat(chunks),
    };
    listener.ending(response).then(send, send);
    return this;
  } as ServerResponse['end'];
  res.once('close', onClose);
}

function lowerCased(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}
