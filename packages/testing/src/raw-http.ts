import { type IncomingHttpHeaders, request } from 'node:http';

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as sent, still content-encoded. */
  body: Buffer;
}

/**
 * One request over a fresh connection with the header values exactly as given: bytes 0x80-0xff
 * go out as obs-text (latin1), unlike fetch(), which refuses them. Rejects if no response has
 * ended within `timeoutMs`: a request that hangs is a failure, not a slow test.
 */
export function rawRequest(
  url: string,
  headers: Record<string, string>,
  method: 'GET' | 'POST' = 'GET',
  timeoutMs = 5_000,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${url}: no response in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** A GET whose client hangs up after `afterMs`, before any answer: resolves once it has. */
export function abandonedGet(url: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const outgoing = request(url);
    outgoing.on('error', () => resolve());
    outgoing.end();
    setTimeout(() => {
      outgoing.destroy();
      resolve();
    }, afterMs);
  });
}
